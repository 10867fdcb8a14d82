// Where a mount comes from and where it goes, resolved to file descriptors before anything is
// mounted, so that a symlink planted in a writable bind by an earlier sandbox can neither move a
// destination out of the new root nor make the launcher create host files (the class of runc's
// CVE-2021-30465), and nothing can be swapped between the check and the mount.
#pragma once

#include <string>

#include "base/status.h"
#include "base/unique_fd.h"

namespace ncp::launcher {

// A mount's source, `source` an absolute host path, as an O_PATH fd. Resolved as the host sees
// it, inside `host_root` (an O_PATH fd of the host's root): ordinary symlinks are followed, so
// merged-/usr links (/lib -> usr/lib) and /etc/localtime keep working, as with bubblewrap;
// magic links (/proc/PID/root, /proc/PID/fd/N) are refused. A missing source keeps ENOENT in
// the status, for the *-try options.
base::StatusOr<base::UniqueFd> OpenMountSource(int host_root, const std::string& source);

enum class MountPointKind { kDirectory, kFile };

// The mount point for `destination` (absolute, without "." or ".."), as an O_PATH fd, resolved
// beneath `root` with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: relative symlinks that stay
// beneath the root are followed, while an absolute symlink, a ".." above the root or a magic
// link is an error naming the destination. Missing directories, and the final directory or
// empty file, are created one name at a time relative to the directory resolved so far (never
// following a symlink while creating), so nothing is ever created outside the new root.
base::StatusOr<base::UniqueFd> ResolveMountPoint(int root, const std::string& destination,
                                                 MountPointKind kind);

// What is at `destination` beneath `root` already (resolved as ResolveMountPoint resolves an
// existing name), creating nothing: for the in-place pins and covers over policy state, whose
// place must be there and be their source (mounts.cc).
base::StatusOr<base::UniqueFd> OpenExistingMountPoint(int root, const std::string& destination);

}  // namespace ncp::launcher
