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

// A folder whose contents ncp trusts only below `base_depth` components it checks for owner
// and mode (policy/owned_folder.h): e.g. 3 for ~/.cache/ncp/seccomp, whose base is $HOME.
struct PolicyFolder {
  std::string path;  // may not exist yet
  int base_depth = 0;
};

struct PolicyStatePaths {
  std::vector<PolicyFolder> folders;
  std::vector<std::string> files;  // files read for this plan
};

// For every writable bind whose source (symlinks resolved) is or contains a protected path:
// - the path is bound read-only over its place in the sandbox, after every other mount so
//   nothing in the plan uncovers it;
// - each folder between the bind's source and that path is bound onto itself right after the
//   bind (a mount point cannot be renamed or removed: a sandbox cannot move the read-only
//   folder aside and put a forged one in its place);
// - a protected folder that does not exist, where the sandbox could create it so that ncp
//   would trust it (its base is missing or could be made trusted by `caller`, and its deepest
//   existing folder is `caller`'s or writable by others), gets that deepest folder covered
//   read-only instead; when that is the bind's source itself, the start is refused: create
//   the folder first.
// Refused too: a writable bind whose source lies inside a protected path, and one that holds a
// symlink ncp follows to reach a protected path (the sandbox could point it elsewhere).
// Optional binds whose source does not exist are skipped. A bind with a recorded identity
// (RecordSourceIdentities, policy/source_identity.h) is checked only as the file with that
// identity: if its real path no longer names that file, the plan is refused. Pins and covers
// carry identities of their own and are marked in_place (plan.h). Returns one note per change.
base::StatusOr<std::vector<std::string>> ProtectPolicyState(Plan* plan,
                                                            const PolicyStatePaths& paths,
                                                            uid_t caller);

// Whether a writable bind of `plan` exposes `path` (which need not exist) to the sandbox.
bool InsideWritableBind(const Plan& plan, const std::string& path);

}  // namespace ncp::policy
