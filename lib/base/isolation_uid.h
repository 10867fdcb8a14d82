// --isolation-uid: the sandbox's ids map to a host uid/gid that is not the caller's, so a
// sandboxed child owns none of the caller's files and cannot signal the caller's processes.
// Root writes the maps itself; an unprivileged user needs the setuid helpers newuidmap and
// newgidmap (package uidmap) and a range in /etc/subuid and /etc/subgid. ncp never setuids.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace ncp::base {

// Used by root when /etc/subuid (or /etc/subgid) has no range for root.
inline constexpr uint32_t kFallbackIsolationId = 1879048192;  // 0x70000000

struct IsolationIds {
  uint32_t host_uid = 0;
  uint32_t host_gid = 0;
  // true: run newuidmap/newgidmap (unprivileged caller); false: write the maps directly.
  bool via_helpers = false;
  std::string newuidmap;  // helper paths, when via_helpers
  std::string newgidmap;
};

// The ids an --isolation-uid sandbox would get for the calling (effective) user, or
// kUnavailable with a one-line reason ("no range for user 'alice' in /etc/subuid", ...).
StatusOr<IsolationIds> ChooseIsolationIds();

// Whether --isolation-uid can work for the caller; cheap enough to call synchronously (reads
// /etc/subuid, /etc/subgid and looks for the helpers; starts nothing).
Status IsolationUidAvailable();

}  // namespace ncp::base
