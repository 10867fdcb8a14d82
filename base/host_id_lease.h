// One host uid/gid of root's range, held by one running sandbox: sandboxes that run at the
// same time never share a host id, so they cannot signal, ptrace or count against each other.
//
// The state is a lock file per id in a root-owned 0700 directory under /run, which no sandbox
// can open (its host id is not root). A lease is an flock on that file: the kernel drops it
// when the last fd of its open file is closed, so a launcher that crashes cannot leak an id,
// and whoever holds a copy of the fd (the launcher, the sandbox's init) keeps the id taken.
#pragma once

#include <cstdint>
#include <string>

#include "base/isolation_uid.h"
#include "base/status.h"
#include "base/unique_fd.h"

namespace ncp::base {

inline constexpr char kHostIdLockDir[] = "/run/ncp/host-ids";

struct HostIdLease {
  uint32_t uid = 0;
  uint32_t gid = 0;
  UniqueFd lock;  // close-on-exec; the id is free again once every copy is closed
};

// The lowest free id of `range` (uid first_uid + k, gid first_gid + k), or kResourceExhausted
// when every one is held by a running sandbox. Creates `lock_dir` (0700) when missing and
// refuses one that is not a directory owned by us that only we can use.
//
// `ends_with_its_holders`: whether everything that runs as the id dies with the lease's
// holders (a pid namespace, whose init holds it). Without one, the program may leave processes
// behind: the lock file then says so, and the next lease of that id first looks in /proc for
// processes still running as it, and takes another id while there are any.
StatusOr<HostIdLease> LeaseHostId(const HostIdRange& range, bool ends_with_its_holders,
                                  const std::string& lock_dir = kHostIdLockDir);

}  // namespace ncp::base
