/* Entries for how an args-type child ends (tests/core/child_exit_test.cc): OpenHarmony ends it
   with quick_exit(0) once the entry returns, so exit-time hooks of its libraries do not run, and
   ncp flushes stdio first so nothing the entry printed is lost. */
#define _GNU_SOURCE
#include "exit_entries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"
#include "entry_io.h"

#define EXPORT __attribute__((visibility("default")))

int g_exit_hook_fd = -1;

void ExitHookWrite(const char* what) {
  if (g_exit_hook_fd >= 0) (void)EntryWriteAll(g_exit_hook_fd, what, strlen(what));
}

static void AtExitHandler(void) { ExitHookWrite("atexit\n"); }

/* Runs at exit() (and dlclose), not at quick_exit. */
__attribute__((destructor)) static void LibraryDestructor(void) { ExitHookWrite("destructor\n"); }

/* Arms an atexit handler, this library's destructor and a C++ static object's destructor to
   write to "out"; writes "entry\n" itself and returns. */
EXPORT void ExitHooksEntry(NativeChildProcess_Args args) {
  g_exit_hook_fd = EntryFd(args, "out");
  ExitHookArmStatic();
  atexit(AtExitHandler);
  ExitHookWrite("entry\n");
}

/* Makes the fd named "stdout" the child's standard output and prints entryParams through stdio
   with no newline: the text sits in stdio's buffer when the entry returns. */
EXPORT void PrintfNoNewlineEntry(NativeChildProcess_Args args) {
  int fd = EntryFd(args, "stdout");
  if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) return;
  printf("%s", args.entryParams);
}
