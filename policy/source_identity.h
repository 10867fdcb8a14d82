// Which file a bind's source is: the parent checks a bind (ProtectPolicyState, the caller's
// permission to name it) and the child mounts it later, by path. A sandbox running at the same
// time may swap a symlink, or a folder, on that path in between; the identity recorded at the
// check lets the child refuse anything else (launcher/mounts.cc).
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>

#include "base/status.h"
#include "policy/plan.h"

namespace ncp::policy {

SourceIdentity IdentityOf(const struct stat& st);

// The identity of what `path` (absolute) names now, symlinks followed as the child's source
// lookup follows them; nullopt when it cannot be opened (a missing source: the child reports it).
std::optional<SourceIdentity> IdentityOfSource(const std::string& path);

// The identity of `real_path`, a path just returned by realpath(3), opened without following
// any symlink: if a component became a symlink since, the open fails, so a match proves that
// `real_path` names the file with that identity. nullopt when it cannot be opened so.
std::optional<SourceIdentity> IdentityOfRealPath(const std::string& real_path);

// Records the identity of every bind's source (kBind, kReadOnlyBind) in `plan`, as the check
// that follows sees it. Sources that cannot be opened get none.
void RecordSourceIdentities(Plan* plan);

}  // namespace ncp::policy
