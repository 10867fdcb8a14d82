// Starting a process that shares this one's memory until it execs (CLONE_VM), as posix_spawn
// does internally: the fork server's detached spawns and ncp-launch's init use it.
#pragma once

#include <cstddef>

namespace ncp::base {

// clone(2) with `fn(arg)` run on the caller's `stack_top` (the top of a stack the caller keeps
// until the new process has exec'd or exited). Returns the pid or -1 (errno). With CLONE_PIDFD
// the pidfd goes to `*pidfd`; with CLONE_CHILD_CLEARTID the kernel zeroes `*clear_tid` (and
// wakes its futex) once the new process has left the shared memory for good.
//
// glibc's __clone, not its clone: sanitizer runtimes intercept clone and treat every call as a
// fork (ThreadSanitizer keeps the call's arguments on the caller's stack, which a process that
// does not wait is gone from, and resets its own state in the child, which shared memory makes
// the caller's too).
int CloneSharingMemory(int (*fn)(void*), void* stack_top, int flags, void* arg,
                       int* pidfd = nullptr, int* clear_tid = nullptr);

// AddressSanitizer keeps the bounds of each thread's stack, and the new process of a
// CLONE_VM|CLONE_VFORK clone runs as the caller's thread on another stack: unless told, ASan
// warns on the new process's stderr at its first noreturn call and may report false errors.
// Only the CLONE_VFORK case needs this (the caller is stopped while the new process runs);
// code of a detached spawn is not instrumented. No-ops in other builds.
struct StackSwitch {
  void* fake_stack = nullptr;
  const void* caller_bottom = nullptr;
  size_t caller_size = 0;
};
// The caller, right before the clone: the new process will run on [bottom, bottom + size).
void BeginStackSwitch(StackSwitch* s, const void* bottom, size_t size);
// The new process, first thing.
void ArriveOnNewStack(StackSwitch* s);
// The caller, once the clone has returned (the new process exec'd or exited).
void ReturnToCallerStack(const StackSwitch& s);

}  // namespace ncp::base
