/* Entries that try to take the host's resources, for the tests of the shipped profiles' bounds.
   Each writes one line on its "out" fd: how far it got and why it stopped. Raw system calls
   (mmap, fork, write) rather than malloc and stdio, so that a sanitizer's allocator, which
   aborts when memory runs out, does not decide how the attempt ends. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"
#include "entry_io.h"

#define EXPORT __attribute__((visibility("default")))

static void Say(NativeChildProcess_Args args, const char* what, long count, int err) {
  char line[160];
  snprintf(line, sizeof line, "%s %ld %s\n", what, count, strerror(err));
  (void)EntryWriteAll(EntryFd(args, "out"), line, strlen(line));
}

/* Forks children that wait to be killed until fork fails (at most 100000): "forked N ERROR".
   Then kills them all. */
EXPORT void ForkBomb(NativeChildProcess_Args args) {
  static pid_t children[4096];
  int hold[2];
  if (pipe2(hold, O_CLOEXEC) != 0) {
    Say(args, "pipe", 0, errno);
    return;
  }
  long n = 0;
  int err = 0;
  while (n < 100000) {
    const pid_t pid = fork();
    if (pid == 0) {
      char c;
      close(hold[1]);
      (void)read(hold[0], &c, 1); /* blocks until the parent is gone */
      _exit(0);
    }
    if (pid < 0) {
      err = errno;
      break;
    }
    if (n < 4096) children[n] = pid;
    ++n;
  }
  for (long i = 0; i < n && i < 4096; ++i) kill(children[i], SIGKILL);
  Say(args, "forked", n, err);
}

/* Maps and touches 16 MiB at a time until mmap fails (at most 64 GiB): "touched MIB ERROR". */
EXPORT void MemoryBalloon(NativeChildProcess_Args args) {
  const size_t chunk = 16u << 20;
  long mib = 0;
  int err = 0;
  while (mib < (64L << 10)) {
    char* p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      err = errno;
      break;
    }
    for (size_t i = 0; i < chunk; i += 4096) p[i] = 1;
    mib += 16;
  }
  Say(args, "touched", mib, err);
}

/* Writes 1 MiB blocks to the file PARAMS until a write fails (at most 64 GiB):
   "wrote MIB ERROR". SIGXFSZ is ignored, so a file-size limit shows as EFBIG. */
EXPORT void FillFile(NativeChildProcess_Args args) {
  static char block[1 << 20];
  signal(SIGXFSZ, SIG_IGN);
  const int fd = open(args.entryParams, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    Say(args, "open", 0, errno);
    return;
  }
  long mib = 0;
  int err = 0;
  while (mib < (64L << 10)) {
    const ssize_t n = write(fd, block, sizeof block);
    if (n != (ssize_t)sizeof block) {
      err = n < 0 ? errno : ENOSPC;
      break;
    }
    ++mib;
  }
  close(fd);
  Say(args, "wrote", mib, err);
}

/* "open-files N ERROR": opens /dev/null until open fails (at most 1000000). */
EXPORT void OpenFiles(NativeChildProcess_Args args) {
  long n = 0;
  int err = 0;
  while (n < 1000000) {
    if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0) {
      err = errno;
      break;
    }
    ++n;
  }
  Say(args, "open-files", n, err);
}

/* Spins on the CPU for PARAMS milliseconds of its own CPU time, touching no memory. */
EXPORT void SpinCpu(NativeChildProcess_Args args) { EntrySpinCpu(atol(args.entryParams)); }

/* Maps 1 MiB of anonymous memory, shared (PARAMS "shared") or grows-down ("growsdown"), both of
   which the kernel does not count as data: "map 1 Success" or "map 0 ERROR". */
EXPORT void MapUncounted(NativeChildProcess_Args args) {
  const int kind =
      strcmp(args.entryParams, "shared") == 0 ? MAP_SHARED : MAP_PRIVATE | MAP_GROWSDOWN;
  void* p = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE, kind | MAP_ANONYMOUS, -1, 0);
  Say(args, "map", p == MAP_FAILED ? 0 : 1, p == MAP_FAILED ? errno : 0);
}

/* Grows the main thread's stack by entryParams MiB, 64 KiB per frame, touching every page:
   "stack N Success" when it got there. Beyond the stack limit the kernel ends it with
   SIGSEGV. */
static long GrowStack(long frames) {
  volatile char frame[64 * 1024];
  for (size_t i = 0; i < sizeof frame; i += 4096) frame[i] = (char)frames;
  if (frames <= 1) return frame[0];
  return GrowStack(frames - 1) + frame[4096];
}

EXPORT void StackBalloon(NativeChildProcess_Args args) {
  const long mib = atol(args.entryParams != NULL ? args.entryParams : "0");
  (void)GrowStack(mib * 16);
  Say(args, "stack", mib, 0);
}
