// Writable binds that keep the caller's ownership. A root-run sandbox runs as a leased host id
// (host_ids.h), so on a plain bind the files it writes would belong to that id and root's own
// files would not be writable to it. An idmapped mount shows files of the caller's id as the
// leased id, and stores the leased id's writes as the caller's. Only a process privileged over
// the host's mount namespace may make one, so the parent builds each tree before clone and the
// child attaches it (AttachBindTree, mounts.cc) in place of the bind (bind_trees.h).
#pragma once

#include <sys/types.h>

#include <string>

#include "base/isolation_uid.h"
#include "base/status.h"
#include "base/unique_fd.h"

namespace ncp::launcher {

// A user namespace (an fd to it; the process that made it is gone) that maps the caller's
// uid/gid to `ids`' host uid/gid, one id each: the idmapping of MOUNT_ATTR_IDMAP.
base::StatusOr<base::UniqueFd> IdmapUserNamespace(uid_t caller_uid, gid_t caller_gid,
                                                  const base::IsolationIds& ids);

// Gives the detached tree `tree` (mount_trees.h) the idmapping of `userns_fd`, on every mount
// in it (mount_setattr(MOUNT_ATTR_IDMAP)).
base::Status IdmapTree(int tree, int userns_fd);

}  // namespace ncp::launcher
