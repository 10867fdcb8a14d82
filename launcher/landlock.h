// Landlock, the second wall behind the mounts: the child's last step before seccomp restricts
// file access to what the sandbox's mounts allow, so that a path that leads out of the new root
// (a passed fd reopened through /proc/self/fd) gives no more than the
// mounts would: read-only binds read and execute, writable binds and tmpfs everything, /proc and
// /dev as mounted. Where the kernel's ABI has scoping (6+), the sandbox can neither signal nor
// connect to an abstract Unix socket outside itself. Best effort by the running kernel's ABI
// unless the plan requires it.
#pragma once

#include <span>
#include <string>

#include "base/status.h"
#include "policy/plan.h"

namespace ncp::launcher {

// The running kernel's Landlock ABI, or why there is none.
struct LandlockSupport {
  int abi = 0;  // >= 1 when Landlock is there
  int err = 0;  // else the errno: ENOSYS (not built, or a seccomp filter), EOPNOTSUPP (disabled
                // at boot), EPERM (a container's filter)
};
LandlockSupport ProbeLandlock();

// The child step (child_setup.cc), after the pivot and the fd moves. `passed_fds` are the fds
// the program keeps besides 0-2: each may be reopened through /proc/self/fd with at most the
// access it was opened with (a read-only one stays read-only; a directory's gives read beneath).
// A kernel without Landlock is a note on stderr with `verbose` under best-effort, an error
// under required; so is an ABI older than required.
base::Status ApplyLandlock(const policy::Plan& plan, std::span<const int> passed_fds, bool verbose);

// For --check: what this kernel offers and what a start with `plan` would get.
std::string DescribeLandlockSupport(const policy::Plan& plan);

}  // namespace ncp::launcher
