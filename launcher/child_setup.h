// The sandboxed child, from clone to exec: SetUpAndExec runs the start order of DESIGN.md, one
// named step per line (steps.h), and reports the first failure to the parent as a SetupError.
#pragma once

#include <vector>

#include "base/exit_status.h"
#include "launcher/launch_spec.h"
#include "policy/plan.h"

namespace ncp::launcher {

struct ChildContext {
  const policy::Plan* plan = nullptr;
  const LaunchSpec* spec = nullptr;
  int sync_fd = -1;    // read end; one byte from the parent = id maps written, go on
  int error_fd = -1;   // write end of the CLOEXEC setup-error pipe
  int status_fd = -1;  // write end; the pid-namespace init reports how the program ended
  // A supervised filter's socket to ncp-launch (seccomp_install.cc), when the program's process
  // installs the filter; -1 otherwise.
  int supervisor_fd = -1;
  // The ids inside the user namespace (computed before clone: afterwards getuid() is the
  // overflow id until the maps are written).
  uint32_t inside_uid = 0;
  uint32_t inside_gid = 0;
  uint32_t outside_uid = 0;
  uint32_t outside_gid = 0;
  // The parent writes the id maps (--isolation-uid) and sends a byte on sync_fd when done;
  // otherwise a new user namespace maps itself and nobody waits for anybody.
  bool parent_writes_maps = true;
  int host_id_lock_fd = -1;  // LaunchSpec::host_id_lock_fd, kept by init
  // One per plan.mounts (or none): -1, or the tree the parent opened for it (bind_trees.h).
  std::vector<int> bind_trees;
};

// Never returns: execs the program, or reports the failing step and exits
// base::kSandboxFailedExit (the parent reads the reason from the error pipe)
// (126/127 when only the exec itself failed).
[[noreturn]] void SetUpAndExec(const ChildContext& context);

}  // namespace ncp::launcher
