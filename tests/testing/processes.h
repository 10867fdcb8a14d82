// The process tree below a sandbox's launcher, as the host's /proc shows it.
#pragma once

#include <sys/types.h>

#include <vector>

namespace ncp::testing {

// Every process below `pid` (children, their children, ...), parents before their children.
std::vector<pid_t> Descendants(pid_t pid);

// The real and effective uid of `pid` as the host sees them (the "Uid:" line of
// /proc/PID/status); -1 each when it cannot be read.
struct HostUids {
  long real = -1;
  long effective = -1;
};
HostUids HostUidsOf(pid_t pid);

}  // namespace ncp::testing
