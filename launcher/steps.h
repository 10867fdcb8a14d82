// One function per step of the child pipeline (child_setup.cc shows the order and why). Each
// returns a Status whose errno was captured at the failing call; none of them exits.
#pragma once

#include <linux/filter.h>

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "policy/plan.h"

namespace ncp::launcher {

// setup_steps in mounts.cc
base::Status MakeRootPrivate();
// Before the child takes its isolation ids: an O_PATH fd of each bind's source that has no tree
// in `bind_trees`, opened with the caller's own right to search directories (a source below a
// directory only the caller may search, /root or a 0700 build tree, stays bindable where the
// parent could not make a tree: a container's root has no CAP_SYS_ADMIN for open_tree). Only
// opens, creates nothing; a missing or refused source gets -1 and is reported by BuildRootfs.
base::Status OpenBindSources(const policy::Plan& plan, std::span<const int> bind_trees,
                             std::vector<base::UniqueFd>* sources);
// `bind_trees`: empty, or one fd per plan.mounts, -1 or a detached tree (bind_trees.h) that is
// attached in place of that bind. `sources`: empty, or one fd per plan.mounts, -1 or the
// bind's source from OpenBindSources.
base::Status BuildRootfs(const policy::Plan& plan, std::span<const int> bind_trees,
                         std::span<const int> sources);
base::Status PivotRoot();

// system_steps.cc
base::Status WaitForParentIdMaps(int sync_fd);
// --isolation-uid: become the plan's uid/gid (mapped to the isolation host ids) with no
// supplementary groups; until now the child still had the caller's host ids.
base::Status SwitchToIsolationIds(uint32_t uid, uint32_t gid);
// A process group of its own and no controlling terminal: TIOCSTI cannot reach the caller's
// terminal, kill(0, ...) cannot reach the caller's job.
base::Status LeaveTerminal();
base::Status SetHostname(const policy::Plan& plan);
// chdir to the plan's working directory (inside the new root, as the sandbox's ids).
base::Status ChangeDirectory(const policy::Plan& plan);
base::Status BringUpLoopback();
// The address-space and data limits (kMemory) go on in the program's own process right before
// its exec, or, in the entry form, in the runtime once it has started (entry_mode.h): a
// sanitizer runtime maps terabytes of shadow memory when the program starts and fails under
// either limit, and init must not run under the program's limits. The others (kProcess) go on
// during setup.
enum class RlimitSet { kProcess, kMemory };
bool IsMemoryLimit(int resource);
base::Status ApplyRlimits(const policy::Plan& plan, RlimitSet which);
base::Status SetParentDeathSignal(int sync_fd);

// seccomp_install.cc: `program` on every thread of this process (TSYNC: in the entry form a
// library's constructor may have started threads). `supervisor_fd` >= 0: the plan's filter is
// supervised (policy/seccomp_supervision.h); its listener goes to ncp-launch on that socket, and
// neither the listener nor the socket stays open here. Once per process.
base::Status InstallSeccomp(const std::vector<sock_filter>& program, int supervisor_fd);

// fds.cc: puts each placement's `from` at `to` (CLOEXEC cleared), keeps 0-2 and the fds in
// `internal` (moved above every `to`, CLOEXEC, so the program never sees them; updated in
// place), and closes everything else.
struct FdPlacement {
  int from = -1;
  int to = -1;
};
base::Status MoveAndCloseFds(std::span<const FdPlacement> placements, std::span<int*> internal);

// caps.cc
base::Status SetNoNewPrivs();
base::Status DropCapabilities();

// init.cc: in a new pid namespace the child would be pid 1, which the kernel shields from
// signals it sends itself (so `kill -SEGV $$` would do nothing). Makes the program's process
// (pid 2), which runs `program_steps` and must end in an exec or _exit; the original stays as a
// reaper that reports the program's end on `status_fd` and never returns (it returns only the
// error of a step of its own). Init also keeps `lease_fd` (the host id's lock, or -1) open: it
// lives as long as the namespace, so the id is not handed out again while anything runs in it.
base::Status StartInit(int status_fd, int error_fd, int lease_fd,
                       const std::function<void()>& program_steps);

}  // namespace ncp::launcher
