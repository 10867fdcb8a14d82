// Mounts as file descriptors: a detached tree is made and given its attributes while nothing
// can see it, then attached at a mount point fd that mount_paths.h resolved.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "base/unique_fd.h"
#include "policy/plan.h"

namespace ncp::launcher {

// A detached recursive copy of the tree at `source` (an O_PATH fd) with `attrs`
// (MOUNT_ATTR_*) set on every mount in it.
base::StatusOr<base::UniqueFd> DetachedTree(int source, uint64_t attrs);

// What a plan's bind (kBind or kReadOnlyBind) mounts: the detached tree for `source`, nosuid and
// nodev, read-only for kReadOnlyBind. The one place that decides a bind's attributes (an
// idmapped mount for writable binds belongs here).
base::StatusOr<base::UniqueFd> DetachedBindTree(const policy::Mount& mount, int source);

// A new detached instance of `fs_type` ("tmpfs", "proc") with the string `options` (key,
// value pairs, may be empty) and `attrs` (MOUNT_ATTR_*).
struct FsOption {
  const char* key;
  const char* value;
};
base::StatusOr<base::UniqueFd> NewFilesystem(const char* fs_type,
                                             std::initializer_list<FsOption> options,
                                             uint64_t attrs);

// Attaches the detached tree `tree` on top of `mount_point` (an O_PATH fd). `what` and
// `where` only name them in an error.
base::Status Attach(int tree, int mount_point, const std::string& what, const std::string& where);

}  // namespace ncp::launcher
