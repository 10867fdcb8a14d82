/* Entries for how an args-type child ends (tests/core/child_exit_test.cc and
   teardown_handoff_test.cc): OpenHarmony ends it with quick_exit(0) once the entry returns, so
   exit-time hooks of its libraries do not run, and ncp flushes stdio first so nothing the entry
   printed is lost. */
#define _GNU_SOURCE
#include "exit_entries.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* ---- The hand-over of a returning child's memory teardown (tests/core/teardown_handoff_test.cc) */

static int g_quick_exit_fd = -1;

static void QuickExitHandler(void) {
  if (g_quick_exit_fd >= 0) (void)EntryWriteAll(g_quick_exit_fd, "handler\n", 8);
}

/* Registers an at_quick_exit handler that writes "handler\n" to "out", writes "entry\n" and
   returns: the handler runs at the end, while the child's fds are still open. */
EXPORT void QuickExitHandlerEntry(NativeChildProcess_Args args) {
  g_quick_exit_fd = EntryFd(args, "out");
  at_quick_exit(QuickExitHandler);
  (void)EntryWriteAll(g_quick_exit_fd, "entry\n", 6);
}

/* Ends through quick_exit with the status entryParams names. */
EXPORT void QuickExitWith(NativeChildProcess_Args args) { quick_exit(atoi(args.entryParams)); }

/* Installs a filter under which any clone kills the whole process, then returns: the child
   must still end with status 0. */
EXPORT void KillOnCloneFilterEntry(NativeChildProcess_Args args) {
  int out = EntryFd(args, "out");
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
  };
  struct sock_fprog program = {sizeof filter / sizeof filter[0], filter};
  const char* result = "filtered\n";
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) != 0) {
    result = "no filter\n";
  }
  (void)EntryWriteAll(out, result, strlen(result));
}

/* Forks a process that ends through quick_exit, reaps it, then says whether any other child
   appeared ("no other child\n" or "other child PID\n"): the hand-over belongs to the process
   the runtime started, never to a fork of it. */
EXPORT void ForkThatQuickExitsEntry(NativeChildProcess_Args args) {
  int out = EntryFd(args, "out");
  pid_t forked = fork();
  if (forked == 0) quick_exit(0);
  if (forked < 0 || waitpid(forked, NULL, 0) != forked) {
    (void)EntryWriteAll(out, "fork failed\n", 12);
    return;
  }
  usleep(200 * 1000); /* a holder, if one were started, would have ended by now */
  char line[64];
  pid_t other = waitpid(-1, NULL, WNOHANG);
  if (other <= 0) {
    snprintf(line, sizeof line, "no other child\n");
  } else {
    snprintf(line, sizeof line, "other child %d\n", (int)other);
  }
  (void)EntryWriteAll(out, line, strlen(line));
}
