/* Probe: the sandbox tests' eyes inside a child, for both ways a test starts one: the library's
   isolated start (tests/isolated: the child's stdout is not the test's, so the test passes an fd
   named "out") and ncp-launch's entry form (tests/launcher: the test reads ncp-launch's stdout).

   entryParams is a list of probes separated by ';'. Each probe writes one line "probe=result" to
   the fd named "out", or to fd 1 when there is none; tests parse them with ParseProbe
   (tests/testing/probe_output.h). A result is "ok" when the attempt succeeded, else the errno's
   name ("ENOENT"), so a line reads the same whichever errno numbering the reader has in mind.
   Probes:
     pid, ppid, uid, pgrp      getpid() etc. as the child sees them (pgrp is 1 when the sandbox
                               has its own group, 0 when its group is outside the pid namespace)
     hostname                  uname's nodename
     status                    one line each: CapEff, CapPrm, CapBnd, NoNewPrivs, Seccomp as
                               /proc/self/status has them ("CapEff=0000000000000000")
     fds                       every open fd number, ascending, space-separated
     cloexec-fds               the same, of the fds that are close-on-exec
     tty_nr                    field 7 of /proc/self/stat: 0 without a controlling terminal
     starttime                 field 22 of /proc/self/stat: when this process began, in clock
                               ticks since boot (a prepared child began before the call)
     context                   "cwd=DIR umask=OOO env=A=1,B=2" (environment sorted)
     open:PATH, create:PATH    open(PATH, O_RDONLY) / open(PATH, O_WRONLY|O_CREAT)
     connect:PORT              a TCP connect to 127.0.0.1:PORT (the socket's errno first)
     syscall:NR                syscall(NR, -1, 0, 0, 0, 0, 0): bad arguments everywhere, so an
                               allowed call fails in the kernel (EBADF, EFAULT) and a filtered
                               one gets the profile's errno
     thread-syscall:NR         the same from a second thread, which the entry waits for
     tiocsti:FD                ioctl(FD, TIOCSTI, "x"); FD is a number or a passed fd's name
     exe-write                 open("/proc/self/exe", O_WRONLY)
     exe-mount                 "ro" or "rw": the mount /proc/self/exe is on
     x32                       writes "x32=calling", then getpid through the x32 ABI
                               (__X32_SYSCALL_BIT | NR), then "x32-result=..." if it survived
     sleep                     writes "sleep=ready" and sleeps until killed
   An unknown probe writes "probe=unknown-probe". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"
#include "entry_io.h"

#define EXPORT __attribute__((visibility("default")))

static void Emit(int out, const char* probe, const char* value) {
  char line[2048];
  int n = snprintf(line, sizeof line, "%s=%s\n", probe, value);
  if (n < 0) _exit(99);
  /* A half-written line would read as a wrong result: end the child instead. */
  if (!EntryWriteAll(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1)) _exit(99);
}

static void EmitNumber(int out, const char* probe, long value) {
  char text[32];
  snprintf(text, sizeof text, "%ld", value);
  Emit(out, probe, text);
}

/* "ok" for err == 0, else the errno's name (its number when glibc has no name for it). */
static void EmitErrno(int out, const char* probe, int err) {
  if (err == 0) {
    Emit(out, probe, "ok");
    return;
  }
  const char* name = strerrorname_np(err);
  if (name != NULL) {
    Emit(out, probe, name);
  } else {
    EmitNumber(out, probe, err);
  }
}

static int ErrnoOf(long result) { return result < 0 ? errno : 0; }

static void ProbeStatus(int out) {
  static const char* const kFields[] = {"CapEff:", "CapPrm:", "CapBnd:", "NoNewPrivs:", "Seccomp:"};
  FILE* f = fopen("/proc/self/status", "re");
  if (f == NULL) {
    EmitErrno(out, "status", errno);
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

static int CompareInts(const void* a, const void* b) {
  const int x = *(const int*)a, y = *(const int*)b;
  return (x > y) - (x < y);
}

/* Every open fd ("fds"), or every one that is close-on-exec ("cloexec-fds"). */
static void ProbeFds(int out, const char* probe, int only_cloexec) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == NULL) {
    EmitErrno(out, probe, errno);
    return;
  }
  int fds[256];
  int count = 0;
  const int own = dirfd(dir);
  for (struct dirent* e; (e = readdir(dir)) != NULL && count < 256;) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd == own) continue;
    if (only_cloexec && (fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0) continue;
    fds[count++] = fd;
  }
  closedir(dir);
  qsort(fds, (size_t)count, sizeof fds[0], CompareInts);
  char list[1024] = "";
  for (int i = 0; i < count; ++i) {
    char item[16];
    snprintf(item, sizeof item, i == 0 ? "%d" : " %d", fds[i]);
    strncat(list, item, sizeof list - strlen(list) - 1);
  }
  Emit(out, probe, list);
}

static int Connect(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int err = ErrnoOf(connect(s, (struct sockaddr*)&addr, sizeof addr));
  close(s);
  return err;
}

static int OpenErrno(const char* path, int flags) {
  int fd = open(path, flags | O_CLOEXEC, 0600);
  int err = ErrnoOf(fd);
  if (fd >= 0) close(fd);
  return err;
}

static void ProbeExeMount(int out, const char* probe) {
  struct statvfs st;
  if (statvfs("/proc/self/exe", &st) != 0) {
    EmitErrno(out, probe, errno);
  } else {
    Emit(out, probe, (st.f_flag & ST_RDONLY) != 0 ? "ro" : "rw");
  }
}

static void ProbeTtyNr(int out, const char* probe) {
  FILE* f = fopen("/proc/self/stat", "re");
  int tty_nr = -1;
  if (f != NULL) {
    if (fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %d", &tty_nr) != 1) tty_nr = -1;
    fclose(f);
  }
  EmitNumber(out, probe, tty_nr);
}

/* The name may hold spaces and parentheses: the fields start after the last ')'. */
static void ProbeStartTime(int out, const char* probe) {
  char stat[1024] = {0};
  FILE* f = fopen("/proc/self/stat", "re");
  long start = -1;
  if (f != NULL) {
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    stat[n] = 0;
    fclose(f);
    const char* fields = strrchr(stat, ')');
    /* Fields 3 (state) to 21 are skipped; 22 is the start time. */
    if (fields != NULL &&
        sscanf(fields + 1,
               " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %ld",
               &start) != 1) {
      start = -1;
    }
  }
  EmitNumber(out, probe, start);
}

static int CompareStrings(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static void ProbeContext(int out, const char* probe) {
  char cwd[256];
  if (getcwd(cwd, sizeof cwd) == NULL) strcpy(cwd, "?");
  mode_t mask = umask(0);
  umask(mask);
  size_t count = 0;
  while (environ[count] != NULL) ++count;
  char** sorted = calloc(count + 1, sizeof(char*));
  if (sorted == NULL) _exit(98);
  memcpy(sorted, environ, count * sizeof(char*));
  qsort(sorted, count, sizeof(char*), CompareStrings);
  char value[1536];
  int used = snprintf(value, sizeof value, "cwd=%s umask=%03o env=", cwd, (unsigned)mask);
  for (size_t i = 0; i < count && used >= 0 && (size_t)used < sizeof value; ++i) {
    used +=
        snprintf(value + used, sizeof value - (size_t)used, "%s%s", i > 0 ? "," : "", sorted[i]);
  }
  free(sorted);
  Emit(out, probe, value);
}

/* tiocsti:FD: FD is a number (0: the inherited stdin) or the name of a passed fd. */
static int TiocstiTarget(NativeChildProcess_Args args, const char* spec) {
  char* end = NULL;
  long fd = strtol(spec, &end, 10);
  if (*spec != '\0' && *end == '\0') return (int)fd;
  return EntryFd(args, spec);
}

static void* SyscallOnThread(void* nr) {
  return (void*)(long)ErrnoOf(syscall((long)nr, -1L, 0L, 0L, 0L, 0L, 0L));
}

static int ThreadSyscallErrno(long nr) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, SyscallOnThread, (void*)nr) != 0) return EAGAIN;
  void* err = NULL;
  pthread_join(thread, &err);
  return (int)(long)err;
}

static void RunProbe(NativeChildProcess_Args args, int out, const char* probe) {
  if (strcmp(probe, "pid") == 0) {
    EmitNumber(out, probe, getpid());
  } else if (strcmp(probe, "ppid") == 0) {
    EmitNumber(out, probe, getppid());
  } else if (strcmp(probe, "uid") == 0) {
    EmitNumber(out, probe, (long)getuid());
  } else if (strcmp(probe, "pgrp") == 0) {
    EmitNumber(out, probe, getpgrp());
  } else if (strcmp(probe, "hostname") == 0) {
    struct utsname u;
    if (uname(&u) != 0) {
      EmitErrno(out, probe, errno);
    } else {
      Emit(out, probe, u.nodename);
    }
  } else if (strcmp(probe, "status") == 0) {
    ProbeStatus(out);
  } else if (strcmp(probe, "fds") == 0) {
    ProbeFds(out, probe, 0);
  } else if (strcmp(probe, "cloexec-fds") == 0) {
    ProbeFds(out, probe, 1);
  } else if (strcmp(probe, "tty_nr") == 0) {
    ProbeTtyNr(out, probe);
  } else if (strcmp(probe, "starttime") == 0) {
    ProbeStartTime(out, probe);
  } else if (strcmp(probe, "context") == 0) {
    ProbeContext(out, probe);
  } else if (strncmp(probe, "open:", 5) == 0) {
    EmitErrno(out, probe, OpenErrno(probe + 5, O_RDONLY));
  } else if (strncmp(probe, "create:", 7) == 0) {
    EmitErrno(out, probe, OpenErrno(probe + 7, O_WRONLY | O_CREAT));
  } else if (strncmp(probe, "connect:", 8) == 0) {
    EmitErrno(out, probe, Connect(atoi(probe + 8)));
  } else if (strncmp(probe, "syscall:", 8) == 0) {
    EmitErrno(out, probe, ErrnoOf(syscall(atol(probe + 8), -1L, 0L, 0L, 0L, 0L, 0L)));
  } else if (strncmp(probe, "thread-syscall:", 15) == 0) {
    EmitErrno(out, probe, ThreadSyscallErrno(atol(probe + 15)));
  } else if (strncmp(probe, "tiocsti:", 8) == 0) {
    char c = 'x';
    EmitErrno(out, probe, ErrnoOf(ioctl(TiocstiTarget(args, probe + 8), TIOCSTI, &c)));
  } else if (strcmp(probe, "exe-write") == 0) {
    EmitErrno(out, probe, OpenErrno("/proc/self/exe", O_WRONLY));
  } else if (strcmp(probe, "exe-mount") == 0) {
    ProbeExeMount(out, probe);
  } else if (strcmp(probe, "x32") == 0) {
    Emit(out, probe, "calling");
#ifdef __x86_64__
    EmitNumber(out, "x32-result", syscall(0x40000000L | SYS_getpid));
#else
    Emit(out, "x32-result", "no-x32-on-this-architecture");
#endif
  } else if (strcmp(probe, "sleep") == 0) {
    Emit(out, probe, "ready");
    for (;;) pause();
  } else {
    Emit(out, probe, "unknown-probe");
  }
}

EXPORT void Probe(NativeChildProcess_Args args) {
  const int named = EntryFd(args, "out");
  const int out = named >= 0 ? named : 1;
  char* list = strdup(args.entryParams != NULL ? args.entryParams : "");
  if (list == NULL) _exit(98);
  char* saved = NULL;
  for (char* probe = strtok_r(list, ";", &saved); probe != NULL;
       probe = strtok_r(NULL, ";", &saved)) {
    RunProbe(args, out, probe);
  }
  free(list);
}
