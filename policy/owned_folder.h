// Folders whose contents shape later sandboxes (the filter cache, the user's profiles) are
// trusted only if nobody but their owner (or root) could have written them: the folder and
// every folder between it and a base that already existed. One owner for that rule, used by
// the cache (policy/seccomp_cache.h) and the profile search path (policy/profile_loader.h).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "base/unique_fd.h"

namespace ncp::policy {

// Only `owner` (or root) may change it: owned by one of them, not group- or other-writable.
bool OnlyWritableBy(const struct stat& st, uid_t owner);

// Opens the folder `path` whose last `depth` components lie below a base folder that must
// already exist; the base and each of those components must be a directory only `owner` (or
// root) may write, and the components are opened without following symlinks. With `create`,
// missing components are made (0700) first. Returns an invalid fd when any of that fails.
base::UniqueFd OpenOwnedFolder(const std::string& path, uid_t owner, int depth, bool create);

}  // namespace ncp::policy
