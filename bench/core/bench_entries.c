/* Entries the start benchmark runs in its children. */
#include <unistd.h>

#include "AbilityKit/native_child_process.h"

#define EXPORT __attribute__((visibility("default")))

static int Fd(NativeChildProcess_Args args, char first) {
  for (NativeChildProcess_Fd* n = args.fdList.head; n; n = n->next) {
    if (n->fdName[0] == first) return n->fd;
  }
  return -1;
}

/* The first byte of the entry: what start-to-entry latency measures. */
EXPORT void WriteByte(NativeChildProcess_Args args) {
  ssize_t ignored = write(Fd(args, 'o'), "x", 1);
  (void)ignored;
}

/* Returns (and so exits) as soon as a byte arrives on "in". */
EXPORT void WaitForByte(NativeChildProcess_Args args) {
  char c;
  ssize_t ignored = read(Fd(args, 'i'), &c, 1);
  (void)ignored;
}

EXPORT void Sleep(NativeChildProcess_Args args) {
  (void)args;
  for (;;) pause();
}
