// Starting a process that shares this one's memory until it execs (CLONE_VM), as posix_spawn
// does internally: the fork server's detached spawns and ncp-launch's init use it.
#pragma once

namespace ncp::base {

// clone(2) with `fn(arg)` run on the caller's `stack_top` (the top of a stack the caller keeps
// until the new process has exec'd or exited). Returns the pid or -1 (errno). With CLONE_PIDFD
// the pidfd goes to `*pidfd`.
//
// glibc's __clone, not its clone: sanitizer runtimes intercept clone and treat every call as a
// fork (ThreadSanitizer keeps the call's arguments on the caller's stack, which a process that
// does not wait is gone from, and resets its own state in the child, which shared memory makes
// the caller's too).
int CloneSharingMemory(int (*fn)(void*), void* stack_top, int flags, void* arg,
                       int* pidfd = nullptr);

}  // namespace ncp::base
