/* Entries the start benchmarks run in their children. Timestamps are CLOCK_MONOTONIC in
 * nanoseconds, written as one int64_t: the clock is system-wide, so the application subtracts
 * them from its own. */
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"

#define EXPORT __attribute__((visibility("default")))

static int Fd(NativeChildProcess_Args args, char first) {
  for (NativeChildProcess_Fd* n = args.fdList.head; n; n = n->next) {
    if (n->fdName[0] == first) return n->fd;
  }
  return -1;
}

static int64_t NowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void WriteAll(int fd, const void* data, size_t size) {
  ssize_t ignored = write(fd, data, size); /* a pipe takes 8 bytes in one write */
  (void)ignored;
}

/* The first byte of the entry: what the launcher benchmark's start → entry measures. */
EXPORT void WriteByte(NativeChildProcess_Args args) { WriteAll(Fd(args, 'o'), "x", 1); }

/* The moment the entry runs, on "out": what start → entry measures. */
EXPORT void WriteTimestamp(NativeChildProcess_Args args) {
  const int64_t now = NowNs();
  WriteAll(Fd(args, 'o'), &now, sizeof now);
}

/* Says it runs ('r' on "out"), waits for a byte on "in", then makes its last write, the time
 * of that write, and returns: what the exit report measures from. */
EXPORT void StampAfterByte(NativeChildProcess_Args args) {
  const int out = Fd(args, 'o');
  WriteAll(out, "r", 1);
  char c;
  ssize_t ignored = read(Fd(args, 'i'), &c, 1);
  (void)ignored;
  const int64_t now = NowNs();
  WriteAll(out, &now, sizeof now);
}

/* Returns at once: the burst's children. */
EXPORT void Return(NativeChildProcess_Args args) { (void)args; }

EXPORT void Sleep(NativeChildProcess_Args args) {
  (void)args;
  for (;;) pause();
}
