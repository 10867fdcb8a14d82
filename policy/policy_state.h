// Policy state — the compiled-filter cache, the profile folders and every profile or OCI file
// a plan was built from — decides how the next sandbox is built, so no sandbox may write it.
// Landlock cannot carve a read-only hole into a writable bind; mounts can. This applies that
// rule to a plan.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "policy/plan.h"

namespace ncp::policy {

struct PolicyStatePaths {
  std::vector<std::string> folders;  // may not exist yet
  std::vector<std::string> files;    // files read for this plan
};

// For every writable bind whose source (symlinks resolved) is or contains a protected path:
// - the path is bound read-only over its place in the sandbox, after every other mount so
//   nothing in the plan uncovers it;
// - each folder between the bind's source and that path is bound onto itself right after the
//   bind (a mount point cannot be renamed or removed: a sandbox cannot move the read-only
//   folder aside and put a forged one in its place);
// - a protected folder that does not exist, below a folder `caller` owns (where the sandbox
//   could create it), gets its deepest existing folder covered read-only instead; when that is
//   the bind's source itself, the start is refused: create the folder first.
// A writable bind whose source lies inside a protected path is refused. Optional binds whose
// source does not exist are skipped. Returns one note per change.
base::StatusOr<std::vector<std::string>> ProtectPolicyState(Plan* plan,
                                                            const PolicyStatePaths& paths,
                                                            uid_t caller);

// Whether a writable bind of `plan` exposes `path` (which need not exist) to the sandbox.
bool InsideWritableBind(const Plan& plan, const std::string& path);

}  // namespace ncp::policy
