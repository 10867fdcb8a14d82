/* Entry functions for the core tests' children. Each writes what it observed to the fd named
   "out" (when there is one) so the test can assert on it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"
#include "entry_io.h"

#define EXPORT __attribute__((visibility("default")))

static void WriteString(int fd, const char* s) { (void)EntryWriteAll(fd, s, strlen(s)); }

/* Writes entryParams, exactly. */
EXPORT void EchoParams(NativeChildProcess_Args args) {
  WriteString(EntryFd(args, "out"), args.entryParams);
}

/* "name=fd" for every node in list order, then "open:" and every open fd number. */
EXPORT void ReportFds(NativeChildProcess_Args args) {
  int out = EntryFd(args, "out");
  char line[128];
  for (NativeChildProcess_Fd* n = args.fdList.head; n != NULL; n = n->next) {
    snprintf(line, sizeof line, "%s=%d\n", n->fdName, n->fd);
    WriteString(out, line);
  }
  WriteString(out, "open:");
  DIR* dir = opendir("/proc/self/fd");
  int self = dirfd(dir);
  int fds[256];
  int count = 0;
  struct dirent* e;
  while ((e = readdir(dir)) != NULL && count < 256) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd != self) fds[count++] = fd;
  }
  closedir(dir);
  for (int i = 0; i < count; ++i) {
    for (int j = i + 1; j < count; ++j) {
      if (fds[j] < fds[i]) { int t = fds[i]; fds[i] = fds[j]; fds[j] = t; }
    }
    snprintf(line, sizeof line, " %d", fds[i]);
    WriteString(out, line);
  }
  WriteString(out, "\n");
}

/* OpenHarmony's XTS child: reads up to 5 bytes from the first fd, writes "SUCC". */
EXPORT void WriteSucc(NativeChildProcess_Args args) {
  int fd = args.fdList.head->fd;
  char buf[5];
  ssize_t ignored = read(fd, buf, sizeof buf);
  (void)ignored;
  WriteString(fd, "SUCC");
  close(fd);
}

/* Facts about this process: GetCurrentChildProcessArgs, comm, cmdline, parent-death signal. */
EXPORT void ReportSelf(NativeChildProcess_Args args) {
  int out = EntryFd(args, "out");
  NativeChildProcess_Args* current = OH_Ability_GetCurrentChildProcessArgs();
  char line[512];
  snprintf(line, sizeof line, "current=%s same_params=%d same_list=%d params=[%s]\n",
           current ? "yes" : "no", current && current->entryParams == args.entryParams,
           current && current->fdList.head == args.fdList.head,
           current ? current->entryParams : "");
  WriteString(out, line);
  char comm[64] = {0};
  FILE* f = fopen("/proc/self/comm", "r");
  if (f) { if (!fgets(comm, sizeof comm, f)) comm[0] = 0; fclose(f); }
  comm[strcspn(comm, "\n")] = 0;
  char cmdline[256] = {0};
  f = fopen("/proc/self/cmdline", "r");
  if (f) { size_t n = fread(cmdline, 1, sizeof cmdline - 1, f); cmdline[n] = 0; fclose(f); }
  snprintf(line, sizeof line, "comm=%s\ncmdline=%s\n", comm, cmdline);
  WriteString(out, line);
  snprintf(line, sizeof line, "supported=%d\n", OH_Ability_IsNativeChildProcessSupported());
  WriteString(out, line);
}

/* Tries to start a grandchild; writes the return code. */
EXPORT void StartFromChild(NativeChildProcess_Args args) {
  int32_t pid = -7;
  NativeChildProcess_Args none = {NULL, {NULL}};
  NativeChildProcess_Options options = {NCP_ISOLATION_MODE_NORMAL, 0};
  int rc = OH_Ability_StartNativeChildProcess("libncp_test_entries.so:EchoParams", none, options,
                                              &pid);
  char line[64];
  snprintf(line, sizeof line, "rc=%d pid=%d\n", rc, pid);
  WriteString(EntryFd(args, "out"), line);
}

EXPORT void CrashSegv(NativeChildProcess_Args args) {
  (void)args;
  signal(SIGSEGV, SIG_DFL); /* sanitizer runtimes catch SIGSEGV; we want the real signal */
  volatile uintptr_t address = 8; /* volatile: the compiler cannot prove the write invalid */
  *(volatile int*)address = 1;
}

EXPORT void Abort(NativeChildProcess_Args args) {
  (void)args;
  abort();
}

/* Sleeps until killed. */
EXPORT void Sleep(NativeChildProcess_Args args) {
  (void)args;
  for (;;) pause();
}

/* exit(atoi(params)) */
EXPORT void ExitWith(NativeChildProcess_Args args) { exit(atoi(args.entryParams)); }

/* Burns about params milliseconds of CPU and touches params MiB of memory, then returns. */
EXPORT void Burn(NativeChildProcess_Args args) {
  long amount = atol(args.entryParams);
  volatile char* block = malloc((size_t)amount << 20);
  for (long i = 0; i < amount << 20; i += 4096) block[i] = 1;
  EntrySpinCpu(amount);
  free((void*)block);
}

/* Blocks until a byte (or EOF) arrives on "in", then returns. */
EXPORT void WaitForByte(NativeChildProcess_Args args) {
  char c;
  ssize_t ignored = read(EntryFd(args, "in"), &c, 1);
  (void)ignored;
}

/* Says "ready\n" on "out", then blocks until a byte (or EOF) arrives on "in", then returns. */
EXPORT void ReadyThenWaitForByte(NativeChildProcess_Args args) {
  char c;
  if (!EntryWriteAll(EntryFd(args, "out"), "ready\n", 6)) return;
  ssize_t ignored = read(EntryFd(args, "in"), &c, 1);
  (void)ignored;
}

/* Writes one byte to "out" and returns: the benchmark's start-to-entry probe. */
EXPORT void WriteByte(NativeChildProcess_Args args) {
  (void)EntryWriteAll(EntryFd(args, "out"), "x", 1);
}

/* The signal state the entry starts in, as masks of signals 1..64 (bit n-1 for signal n):
 * "ignored=... handled=... blocked=...". */
EXPORT void ReportSignals(NativeChildProcess_Args args) {
  int out = EntryFd(args, "out");
  unsigned long long ignored = 0, handled = 0, blocked = 0;
  sigset_t mask;
  sigprocmask(SIG_SETMASK, NULL, &mask);
  for (int sig = 1; sig <= 64; ++sig) {
    struct sigaction sa;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    /* The sanitizer runtime of this image catches the deadly signals itself, at its start. */
    if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGABRT) {
      if (sigismember(&mask, sig) == 1) blocked |= 1ULL << (sig - 1);
      continue;
    }
#endif
    if (sigaction(sig, NULL, &sa) == 0) {
      if (sa.sa_handler == SIG_IGN) ignored |= 1ULL << (sig - 1);
      else if (sa.sa_handler != SIG_DFL) handled |= 1ULL << (sig - 1);
    }
    if (sigismember(&mask, sig) == 1) blocked |= 1ULL << (sig - 1);
  }
  char line[160];
  snprintf(line, sizeof line, "ignored=%llx handled=%llx blocked=%llx\n", ignored, handled,
           blocked);
  WriteString(out, line);
}
