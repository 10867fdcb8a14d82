// Policy state — the compiled-filter cache and the profile folders — decides how the next
// sandbox is built, so no sandbox may write it. Landlock cannot carve a read-only hole into a
// writable bind; a read-only bind over the spot can. This applies that rule to a plan.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "policy/plan.h"

namespace ncp::policy {

// For every writable bind whose source (symlinks resolved) is or contains one of
// `protected_dirs`, appends a read-only bind of that folder over the same spot inside the
// sandbox (after every other mount, so nothing in the plan uncovers it). A writable bind whose
// source lies inside a protected folder is refused. Folders that do not exist are skipped;
// optional binds whose source does not exist are too. Returns one note per added cover.
base::StatusOr<std::vector<std::string>> ProtectPolicyState(
    Plan* plan, const std::vector<std::string>& protected_dirs);

}  // namespace ncp::policy
