/* Probe: the sandbox tests' eyes inside a child. entryParams is a list of probes separated by
   ';'; each writes one line "probe=result" to the fd named "out", where a result is a value or
   the errno of the attempt ("0" for success). Probes:
     pid, ppid, uid, hostname        getpid() etc. as the child sees them
     status                          CapEff/CapPrm/CapBnd/NoNewPrivs/Seccomp from /proc/self/status
     fds                             every open fd number, ascending
     open:PATH, write:PATH           errno of open(PATH, O_RDONLY) / open(PATH, O_WRONLY|O_CREAT)
     connect:PORT                    errno of a TCP connect to 127.0.0.1:PORT (socket errno first)
     syscall:NR                      errno of syscall(NR, -1, 0, 0, 0, 0, 0)
     tiocsti                         errno of ioctl(out, TIOCSTI, "x")
     x32                             the x32 ABI's getpid; the sandbox kills the child here
     exe-write                       errno of opening /proc/self/exe for writing */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"

#define EXPORT __attribute__((visibility("default")))

static int OutFd(NativeChildProcess_Args args) {
  for (NativeChildProcess_Fd* n = args.fdList.head; n != NULL; n = n->next) {
    if (strcmp(n->fdName, "out") == 0) return n->fd;
  }
  return -1;
}

static void Emit(int out, const char* probe, const char* value) {
  char line[1024];
  int n = snprintf(line, sizeof line, "%s=%s\n", probe, value);
  if (n > 0 && write(out, line, (size_t)n) < 0) _exit(99);
}

static void EmitNumber(int out, const char* probe, long value) {
  char text[32];
  snprintf(text, sizeof text, "%ld", value);
  Emit(out, probe, text);
}

static int ErrnoOf(long result) { return result < 0 ? errno : 0; }

static void ProbeStatus(int out) {
  static const char* const kFields[] = {"CapEff:", "CapPrm:", "CapBnd:", "NoNewPrivs:",
                                        "Seccomp:"};
  FILE* f = fopen("/proc/self/status", "re");
  if (f == NULL) {
    EmitNumber(out, "status", errno);
    return;
  }
  char line[256];
  while (fgets(line, sizeof line, f) != NULL) {
    for (size_t i = 0; i < sizeof kFields / sizeof kFields[0]; ++i) {
      size_t len = strlen(kFields[i]);
      if (strncmp(line, kFields[i], len) != 0) continue;
      char* value = line + len;
      value += strspn(value, " \t");
      value[strcspn(value, "\n")] = '\0';
      char name[32];
      snprintf(name, sizeof name, "%.*s", (int)(len - 1), kFields[i]);
      Emit(out, name, value);
    }
  }
  fclose(f);
}

static void ProbeFds(int out) {
  char list[1024] = "";
  DIR* dir = opendir("/proc/self/fd");
  if (dir == NULL) {
    EmitNumber(out, "fds", errno);
    return;
  }
  int fds[256];
  int count = 0;
  const int own = dirfd(dir);
  for (struct dirent* e; (e = readdir(dir)) != NULL && count < 256;) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd != own) fds[count++] = fd;
  }
  closedir(dir);
  for (int i = 1; i < count; ++i) { /* few entries: insertion sort */
    for (int j = i; j > 0 && fds[j - 1] > fds[j]; --j) {
      int t = fds[j];
      fds[j] = fds[j - 1];
      fds[j - 1] = t;
    }
  }
  for (int i = 0; i < count; ++i) {
    char item[16];
    snprintf(item, sizeof item, i == 0 ? "%d" : " %d", fds[i]);
    strncat(list, item, sizeof list - strlen(list) - 1);
  }
  Emit(out, "fds", list);
}

static int Connect(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int err = ErrnoOf(connect(s, (struct sockaddr*)&addr, sizeof addr));
  close(s);
  return err;
}

static void RunProbe(int out, const char* probe) {
  char text[256];
  if (strcmp(probe, "pid") == 0) {
    EmitNumber(out, probe, getpid());
  } else if (strcmp(probe, "ppid") == 0) {
    EmitNumber(out, probe, getppid());
  } else if (strcmp(probe, "uid") == 0) {
    EmitNumber(out, probe, (long)getuid());
  } else if (strcmp(probe, "hostname") == 0) {
    if (gethostname(text, sizeof text) != 0) snprintf(text, sizeof text, "errno %d", errno);
    Emit(out, probe, text);
  } else if (strcmp(probe, "status") == 0) {
    ProbeStatus(out);
  } else if (strcmp(probe, "fds") == 0) {
    ProbeFds(out);
  } else if (strncmp(probe, "open:", 5) == 0) {
    int fd = open(probe + 5, O_RDONLY | O_CLOEXEC);
    EmitNumber(out, probe, ErrnoOf(fd));
    if (fd >= 0) close(fd);
  } else if (strncmp(probe, "write:", 6) == 0) {
    int fd = open(probe + 6, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    EmitNumber(out, probe, ErrnoOf(fd));
    if (fd >= 0) close(fd);
  } else if (strncmp(probe, "connect:", 8) == 0) {
    EmitNumber(out, probe, Connect(atoi(probe + 8)));
  } else if (strncmp(probe, "syscall:", 8) == 0) {
    EmitNumber(out, probe, ErrnoOf(syscall(atol(probe + 8), -1L, 0L, 0L, 0L, 0L, 0L)));
  } else if (strcmp(probe, "tiocsti") == 0) {
    char c = 'x';
    EmitNumber(out, probe, ErrnoOf(ioctl(out, TIOCSTI, &c)));
  } else if (strcmp(probe, "x32") == 0) {
    Emit(out, probe, "calling");
    EmitNumber(out, "x32-result", syscall(0x40000000L | SYS_getpid));
  } else if (strcmp(probe, "exe-write") == 0) {
    int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
    EmitNumber(out, probe, ErrnoOf(fd));
    if (fd >= 0) close(fd);
  } else {
    Emit(out, probe, "unknown-probe");
  }
}

EXPORT void Probe(NativeChildProcess_Args args) {
  const int out = OutFd(args);
  char* list = strdup(args.entryParams != NULL ? args.entryParams : "");
  if (list == NULL) _exit(98);
  char* saved = NULL;
  for (char* probe = strtok_r(list, ";", &saved); probe != NULL;
       probe = strtok_r(NULL, ";", &saved)) {
    RunProbe(out, probe);
  }
  free(list);
}
