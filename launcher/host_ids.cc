#include "launcher/host_ids.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ncp::launcher {
namespace {

using base::Code;
using base::Error;

// Whether [first, first + count) lies in one extent of a /proc/self/{uid,gid}_map: only ids
// of our own namespace can be written into a child's map (in a rootless container, root's
// built-in range usually is not).
bool MappedHere(const char* map_file, uint32_t first, uint32_t count) {
  std::ifstream in(map_file);
  uint64_t inside = 0, outside = 0, length = 0;
  while (in >> inside >> outside >> length) {
    if (first >= inside && uint64_t{first} + count <= inside + length) return true;
  }
  return false;
}

std::string IdSpan(uint32_t first, uint32_t count) {
  return std::to_string(first) + "-" + std::to_string(uint64_t{first} + count - 1);
}

}  // namespace

base::StatusOr<HostIdPlan> PlanHostIds(bool isolation_uid, bool host_root,
                                       const policy::Plan& plan) {
  if (isolation_uid && host_root) {
    return Error(Code::kInvalidArgument, "--host-root and --isolation-uid contradict each other");
  }
  HostIdPlan ids;
  if (geteuid() != 0) {
    ids.host_root_ignored = host_root;
    if (!isolation_uid) return ids;
    auto helper_ids = base::ChooseIsolationIds();
    if (!helper_ids.ok()) {
      return Error(helper_ids.status().code(), "--isolation-uid: " + helper_ids.status().message());
    }
    ids.kind = HostIdKind::kCallerSubordinate;
    ids.helper_ids = *helper_ids;
    return ids;
  }
  if (host_root) {
    ids.kind = HostIdKind::kHostRoot;
    return ids;
  }
  if (!plan.namespaces.user) {
    return Error(Code::kFailedPrecondition,
                 "as root, a sandbox without a user namespace would run as host root: add "
                 "unshare-user (or a profile that has it), or pass --host-root");
  }
  auto range = base::RootHostIdRange();
  if (!range.ok()) return range.status();
  if (!MappedHere("/proc/self/uid_map", range->first_uid, range->count) ||
      !MappedHere("/proc/self/gid_map", range->first_gid, range->count)) {
    return Error(Code::kUnavailable,
                 "host ids " + IdSpan(range->first_uid, range->count) + " (" + range->source +
                     ") are not mapped in ncp-launch's own user namespace: set " +
                     base::kHostIdRangeVariable +
                     "=FIRST:COUNT to mapped ids, or pass --host-root");
  }
  ids.kind = HostIdKind::kLeased;
  ids.range = *range;
  return ids;
}

std::string DescribeHostIds(const HostIdPlan& ids, const policy::Plan& plan) {
  std::ostringstream out;
  out << "host ids: ";
  switch (ids.kind) {
    case HostIdKind::kCallerOwn:
      out << "uid " << geteuid() << ", gid " << getegid() << ", the caller's own";
      if (!plan.namespaces.user) out << " (no user namespace)";
      if (ids.host_root_ignored) out << "; --host-root changes nothing when not run as root";
      break;
    case HostIdKind::kCallerSubordinate:
      out << "uid " << ids.helper_ids.host_uid << ", gid " << ids.helper_ids.host_gid
          << ", the first of the caller's ranges in /etc/subuid and /etc/subgid "
             "(--isolation-uid; mapped by newuidmap/newgidmap)";
      break;
    case HostIdKind::kLeased:
      out << "the lowest free uid of " << IdSpan(ids.range.first_uid, ids.range.count)
          << " with the gid beside it in " << IdSpan(ids.range.first_gid, ids.range.count)
          << ", one per running sandbox, from " << ids.range.source
          << " (run as root: never host root without --host-root)";
      break;
    case HostIdKind::kHostRoot:
      out << "uid 0, gid 0: host root, by --host-root (owner checks on host files pass; "
             "capabilities are still dropped)";
      break;
  }
  out << "\n";
  return out.str();
}

base::StatusOr<HostIds> TakeHostIds(const HostIdPlan& ids, bool ends_with_init) {
  HostIds taken;
  switch (ids.kind) {
    case HostIdKind::kCallerOwn:
    case HostIdKind::kHostRoot:
      break;
    case HostIdKind::kCallerSubordinate:
      taken.isolation = ids.helper_ids;
      break;
    case HostIdKind::kLeased: {
      auto lease = base::LeaseHostId(ids.range, ends_with_init);
      if (!lease.ok()) return lease.status();
      base::IsolationIds leased;
      leased.host_uid = lease->uid;
      leased.host_gid = lease->gid;
      taken.isolation = leased;
      taken.lease_lock = std::move(lease->lock);
      break;
    }
  }
  return taken;
}

}  // namespace ncp::launcher
