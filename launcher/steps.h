// One function per step of the child pipeline (child_setup.cc shows the order and why). Each
// returns a Status whose errno was captured at the failing call; none of them exits.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "policy/plan.h"

namespace ncp::launcher {

// setup_steps in mounts.cc
base::Status MakeRootPrivate();
base::Status BuildRootfs(const policy::Plan& plan);
base::Status PivotRoot();

// system_steps.cc
base::Status WaitForParentIdMaps(int sync_fd);
base::Status SetHostname(const policy::Plan& plan);
base::Status BringUpLoopback();
base::Status ApplyRlimits(const policy::Plan& plan);
base::Status SetParentDeathSignal(int sync_fd);
base::Status InstallSeccomp(const policy::Plan& plan);

// fds.cc: keeps 0-2, the plan's fds (at their own numbers, CLOEXEC cleared) and `internal`
// (CLOEXEC, so the program never sees them); closes everything else.
base::Status MoveAndCloseFds(const policy::Plan& plan, std::span<const int> internal);

// caps.cc
base::Status SetNoNewPrivs();
base::Status DropCapabilities();

// init.cc: in a new pid namespace the child would be pid 1, which the kernel shields from
// signals it sends itself (so `kill -SEGV $$` would do nothing). Forks: returns Ok in the
// program's process (pid 2); the original stays as a reaper that reports the program's end on
// `status_fd` and never returns.
base::Status StartInit(int status_fd, int error_fd);

}  // namespace ncp::launcher
