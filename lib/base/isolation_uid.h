// Whether an isolated child can run under a host uid of its own without any setuid bit of ours:
// as root (which may map any uid), or through the distribution's newuidmap/newgidmap with a
// subordinate id range for the caller in /etc/subuid and /etc/subgid.
#pragma once

#include "base/status.h"

namespace ncp::base {

// Ok, or kUnavailable with a one-line reason naming what is missing.
Status IsolationUidAvailable();

}  // namespace ncp::base
