// --isolation-uid: the sandbox's ids map to a host uid/gid that is not the caller's, so a
// sandboxed child owns none of the caller's files and cannot signal the caller's processes.
// Root writes the maps itself; an unprivileged user needs the setuid helpers newuidmap and
// newgidmap (package uidmap) and a range in /etc/subuid and /etc/subgid. ncp never setuids.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace ncp::base {

// Used by root when /etc/subuid (or /etc/subgid) has no range for root: 65536 ids from
// 0x70000000, far above the ids of users and of the usual subordinate ranges.
inline constexpr uint32_t kFallbackIsolationId = 1879048192;  // 0x70000000
inline constexpr uint32_t kFallbackIsolationCount = 65536;

// Names a range "FIRST:COUNT" that overrides root's range (for operators whose /etc/subuid
// cannot be changed, and for tests that need a tiny range).
inline constexpr char kHostIdRangeVariable[] = "NCP_HOST_ID_RANGE";

// The host ids root's sandboxes map to: uid first_uid + k with gid first_gid + k, one k per
// running sandbox (base/host_id_lease.h hands them out).
struct HostIdRange {
  uint32_t first_uid = 0;
  uint32_t first_gid = 0;
  uint32_t count = 0;
  // Where it came from, for --check: "root's range in /etc/subuid and /etc/subgid", ...
  std::string source;
};

// $NCP_HOST_ID_RANGE, else root's first ranges in /etc/subuid and /etc/subgid, else the
// built-in range (each of uid and gid on its own); count is the smaller of the two ranges.
// kInvalidArgument for a malformed or unsafe $NCP_HOST_ID_RANGE (one that holds id 0).
StatusOr<HostIdRange> RootHostIdRange();

struct IsolationIds {
  uint32_t host_uid = 0;
  uint32_t host_gid = 0;
  // true: run newuidmap/newgidmap (unprivileged caller); false: write the maps directly.
  bool via_helpers = false;
  std::string newuidmap;  // helper paths, when via_helpers
  std::string newgidmap;
};

// The ids an --isolation-uid sandbox would get for the calling (effective) user (for root: the
// first ids of RootHostIdRange(); ncp-launch leases a free one per sandbox instead), or
// kUnavailable with a one-line reason ("no range for user 'alice' in /etc/subuid", ...).
StatusOr<IsolationIds> ChooseIsolationIds();

// Whether --isolation-uid can work for the caller; cheap enough to call synchronously (reads
// /etc/subuid, /etc/subgid and looks for the helpers; starts nothing).
Status IsolationUidAvailable();

}  // namespace ncp::base
