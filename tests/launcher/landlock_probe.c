/* ncp_test_landlock_probe: the program-form probe of landlock_test.cc. Each argument is one
   probe; each writes one line "probe=result" to stdout, where result is "ok" or the errno's
   name (the Probe entry's format, read with ParseProbe).
     write:PATH          open(PATH, O_WRONLY) and write "X" at its start
     truncate:PATH       truncate(PATH, 0)
     read:PATH           open(PATH, O_RDONLY)
     create:PATH         open(PATH, O_WRONLY | O_CREAT | O_EXCL) and write "new"
     createat:FD:NAME    the same relative to the directory fd FD
     readat:FD:NAME      openat(FD, NAME, O_RDONLY)
     mkdirat:FD:NAME     mkdirat(FD, NAME, 0755)
     kill:PID            kill(PID, SIGTERM)
     pidfd-kill:FD       pidfd_send_signal(FD, SIGTERM)
     kill-own-child      fork a child, SIGKILL it, reap it
     abstract:NAME       connect a stream socket to the abstract Unix address "\0NAME"
     tcgets:FD           ioctl(FD, TCGETS)
     reopen-tcgets:FD    open /proc/self/fd/FD read-write, then TCGETS on the new fd */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void Emit(const char* probe, int err) {
  const char* name = err == 0 ? "ok" : strerrorname_np(err);
  printf("%s=%s\n", probe, name != NULL ? name : "unknown-errno");
  fflush(stdout);
}

static int WriteAndClose(int fd, const char* text) {
  if (fd < 0) return errno;
  const int err = write(fd, text, strlen(text)) < 0 ? errno : 0;
  close(fd);
  return err;
}

static int OpenErrno(int dir, const char* path, int flags) {
  const int fd = openat(dir, path, flags | O_CLOEXEC);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int KillOwnChild(void) {
  const pid_t child = fork();
  if (child < 0) return errno;
  if (child == 0) {
    for (;;) pause();
  }
  const int err = kill(child, SIGKILL) != 0 ? errno : 0;
  waitpid(child, NULL, 0);
  return err;
}

static int ConnectAbstract(const char* name) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  const size_t len = strnlen(name, sizeof addr.sun_path - 2);
  memcpy(addr.sun_path + 1, name, len);
  const socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
  const int err = connect(fd, (struct sockaddr*)&addr, size) != 0 ? errno : 0;
  close(fd);
  return err;
}

static int Tcgets(int fd) {
  struct termios t;
  return ioctl(fd, TCGETS, &t) != 0 ? errno : 0;
}

static int ReopenTcgets(const char* fd) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%s", fd);
  const int reopened = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (reopened < 0) return errno;
  const int err = Tcgets(reopened);
  close(reopened);
  return err;
}

/* "FD:NAME" → the fd, and *name pointing at NAME. */
static int SplitFd(const char* arg, const char** name) {
  const char* colon = strchr(arg, ':');
  *name = colon != NULL ? colon + 1 : "";
  return atoi(arg);
}

static int Run(const char* probe) {
  const char* name = NULL;
  if (strncmp(probe, "write:", 6) == 0) {
    return WriteAndClose(open(probe + 6, O_WRONLY | O_CLOEXEC), "X");
  } else if (strncmp(probe, "truncate:", 9) == 0) {
    return truncate(probe + 9, 0) != 0 ? errno : 0;
  } else if (strncmp(probe, "read:", 5) == 0) {
    return OpenErrno(AT_FDCWD, probe + 5, O_RDONLY);
  } else if (strncmp(probe, "create:", 7) == 0) {
    return WriteAndClose(open(probe + 7, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), "new");
  } else if (strncmp(probe, "createat:", 9) == 0) {
    const int dir = SplitFd(probe + 9, &name);
    return WriteAndClose(openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), "new");
  } else if (strncmp(probe, "readat:", 7) == 0) {
    const int dir = SplitFd(probe + 7, &name);
    return OpenErrno(dir, name, O_RDONLY);
  } else if (strncmp(probe, "mkdirat:", 8) == 0) {
    const int dir = SplitFd(probe + 8, &name);
    return mkdirat(dir, name, 0755) != 0 ? errno : 0;
  } else if (strncmp(probe, "kill:", 5) == 0) {
    return kill(atoi(probe + 5), SIGTERM) != 0 ? errno : 0;
  } else if (strncmp(probe, "pidfd-kill:", 11) == 0) {
    return pidfd_send_signal(atoi(probe + 11), SIGTERM, NULL, 0) != 0 ? errno : 0;
  } else if (strcmp(probe, "kill-own-child") == 0) {
    return KillOwnChild();
  } else if (strncmp(probe, "abstract:", 9) == 0) {
    return ConnectAbstract(probe + 9);
  } else if (strncmp(probe, "tcgets:", 7) == 0) {
    return Tcgets(atoi(probe + 7));
  } else if (strncmp(probe, "reopen-tcgets:", 14) == 0) {
    return ReopenTcgets(probe + 14);
  }
  return EINVAL;
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) Emit(argv[i], Run(argv[i]));
  return 0;
}
