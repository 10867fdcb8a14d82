// Which host uid/gid a sandbox runs as, and why. Root never runs a sandbox as host uid 0 unless
// asked to (--host-root): owner-based permission checks (the host's /proc/sys, root-owned files
// reopened through /proc/self/fd) would pass for it, and the kernel exempts uid 0 from
// RLIMIT_NPROC. Instead each of root's running sandboxes leases an id of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/host_id_lease.h"
#include "base/isolation_uid.h"
#include "base/status.h"
#include "base/unique_fd.h"
#include "policy/plan.h"

namespace ncp::launcher {

enum class HostIdKind {
  kCallerOwn,          // an unprivileged caller: its own euid/egid
  kCallerSubordinate,  // an unprivileged caller with --isolation-uid: newuidmap/newgidmap
  kLeased,             // root: the lowest free id of base::RootHostIdRange()
  kHostRoot,           // root with --host-root: host uid 0 and gid 0
};

struct HostIdPlan {
  HostIdKind kind = HostIdKind::kCallerOwn;
  base::IsolationIds helper_ids;   // kCallerSubordinate
  base::HostIdRange range;         // kLeased
  bool host_root_ignored = false;  // --host-root from a caller that is not root
};

// Refuses --host-root with --isolation-uid, root without a user namespace (the sandbox would
// be host root), a range that ncp-launch's own user namespace does not map, and
// --isolation-uid for a user without a subordinate range or the helpers.
base::StatusOr<HostIdPlan> PlanHostIds(bool isolation_uid, bool host_root,
                                       const policy::Plan& plan);

// One line for --check: "host ids: ... (why)".
std::string DescribeHostIds(const HostIdPlan& ids, const policy::Plan& plan);

// What Launch needs: the ids to map (none: the caller's own), and for a lease its lock, which
// must stay open until the sandbox has ended (Launch hands a copy to the sandbox's init).
struct HostIds {
  std::optional<base::IsolationIds> isolation;
  base::UniqueFd lease_lock;
};
// `ends_with_init`: the sandbox has a pid namespace (base::LeaseHostId).
base::StatusOr<HostIds> TakeHostIds(const HostIdPlan& ids, bool ends_with_init);

}  // namespace ncp::launcher
