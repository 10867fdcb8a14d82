/* Entry functions for the launcher's sandbox tests. SandboxProbe runs the probe its params name
   and writes one line to stdout (fd 1), so the test reads it from ncp-launch's stdout:
     pid                 getpid()
     hostname            uname's nodename
     status              the CapEff, CapPrm, CapBnd, NoNewPrivs and Seccomp lines of
                         /proc/self/status
     connect:PORT        "ok" or the errno name of a TCP connect to 127.0.0.1:PORT
     open:PATH           "ok" or the errno of open(PATH, O_RDONLY)
     create:PATH         "ok" or the errno of open(PATH, O_WRONLY|O_CREAT)
     exe-write           "ok" or the errno of open("/proc/self/exe", O_WRONLY)
     exe-mount           "ro" or "rw": the mount /proc/self/exe is on
     syscall:NR          the errno of syscall(NR, -1, 1, 1) ("ok" if it succeeded)
     x32-getpid          getpid through the x32 ABI (__X32_SYSCALL_BIT | NR); "survived" after
     tiocsti:FD          "ok" or the errno of ioctl(FD, TIOCSTI, "x")
     context             "cwd=DIR umask=OOO env=A=1,B=2" (environment sorted)
     pgrp                getpgrp() (1 when the sandbox has its own group, 0 when its group
                         is the caller's, invisible in the pid namespace)
     tty_nr              field 7 of /proc/self/stat: 0 without a controlling terminal
     sleep               writes "ready" and sleeps until killed */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"

#define EXPORT __attribute__((visibility("default")))

static void Say(const char* text) {
  size_t len = strlen(text);
  while (len > 0) {
    ssize_t n = write(1, text, len);
    if (n <= 0) return;
    text += n;
    len -= (size_t)n;
  }
}

static void SayResult(int ok, int err) {
  char line[64];
  if (ok) {
    Say("ok\n");
  } else {
    snprintf(line, sizeof line, "%s\n", strerrorname_np(err) ? strerrorname_np(err) : "?");
    Say(line);
  }
}

static void StatusLines(void) {
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  if (f == NULL) {
    SayResult(0, errno);
    return;
  }
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "CapEff:", 7) == 0 || strncmp(line, "CapPrm:", 7) == 0 ||
        strncmp(line, "CapBnd:", 7) == 0 || strncmp(line, "NoNewPrivs:", 11) == 0 ||
        strncmp(line, "Seccomp:", 8) == 0) {
      Say(line);
    }
  }
  fclose(f);
}

static void Connect(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    SayResult(0, errno);
    return;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = connect(s, (struct sockaddr*)&addr, sizeof addr);
  SayResult(rc == 0, errno);
  close(s);
}

static int CompareStrings(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static void Context(void) {
  char cwd[256];
  char line[1024];
  if (getcwd(cwd, sizeof cwd) == NULL) strcpy(cwd, "?");
  mode_t mask = umask(0);
  umask(mask);
  size_t count = 0;
  while (environ[count] != NULL) ++count;
  char** sorted = calloc(count + 1, sizeof(char*));
  memcpy(sorted, environ, count * sizeof(char*));
  qsort(sorted, count, sizeof(char*), CompareStrings);
  snprintf(line, sizeof line, "cwd=%s umask=%03o env=", cwd, (unsigned)mask);
  Say(line);
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) Say(",");
    Say(sorted[i]);
  }
  Say("\n");
  free(sorted);
}

EXPORT void SandboxProbe(NativeChildProcess_Args args) {
  const char* p = args.entryParams;
  char line[512];
  if (strcmp(p, "pid") == 0) {
    snprintf(line, sizeof line, "%d\n", (int)getpid());
    Say(line);
  } else if (strcmp(p, "hostname") == 0) {
    struct utsname u;
    uname(&u);
    snprintf(line, sizeof line, "%s\n", u.nodename);
    Say(line);
  } else if (strcmp(p, "status") == 0) {
    StatusLines();
  } else if (strncmp(p, "connect:", 8) == 0) {
    Connect(atoi(p + 8));
  } else if (strncmp(p, "open:", 5) == 0) {
    int fd = open(p + 5, O_RDONLY | O_CLOEXEC);
    SayResult(fd >= 0, errno);
  } else if (strncmp(p, "create:", 7) == 0) {
    int fd = open(p + 7, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    SayResult(fd >= 0, errno);
  } else if (strcmp(p, "exe-write") == 0) {
    int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
    SayResult(fd >= 0, errno);
  } else if (strcmp(p, "exe-mount") == 0) {
    struct statvfs st;
    if (statvfs("/proc/self/exe", &st) != 0) {
      SayResult(0, errno);
    } else {
      Say((st.f_flag & ST_RDONLY) != 0 ? "ro\n" : "rw\n");
    }
  } else if (strncmp(p, "syscall:", 8) == 0) {
    long rc = syscall(atol(p + 8), -1L, 1L, 1L);
    SayResult(rc >= 0, errno);
  } else if (strcmp(p, "x32-getpid") == 0) {
#ifdef __x86_64__
    syscall(0x40000000L | SYS_getpid);
#endif
    Say("survived\n");
  } else if (strncmp(p, "tiocsti:", 8) == 0) {
    char c = 'x';
    int rc = ioctl(atoi(p + 8), TIOCSTI, &c);
    SayResult(rc == 0, errno);
  } else if (strcmp(p, "pgrp") == 0) {
    snprintf(line, sizeof line, "%d\n", (int)getpgrp());
    Say(line);
  } else if (strcmp(p, "tty_nr") == 0) {
    FILE* f = fopen("/proc/self/stat", "r");
    int tty_nr = -1;
    if (f != NULL) {
      if (fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %d", &tty_nr) != 1) tty_nr = -1;
      fclose(f);
    }
    snprintf(line, sizeof line, "%d\n", tty_nr);
    Say(line);
  } else if (strcmp(p, "context") == 0) {
    Context();
  } else if (strcmp(p, "sleep") == 0) {
    Say("ready\n");
    for (;;) pause();
  } else {
    Say("unknown probe\n");
  }
}
