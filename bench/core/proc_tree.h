// The application's process tree as /proc shows it: what the warm pool's idle processes cost.
// The fork server is a child of the application; prepared children and sandboxes are below it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ncp::bench {

enum class ProcessRole {
  kHelper,        // a direct child of the application: the fork server
  kNormalWarm,    // below a helper, in the application's user namespace, not ncp-launch (with
                  // each prepared child's teardown helper, counted for its CPU only)
  kIsolatedWarm,  // ncp-launch, anything in another user namespace, and all below them
  kBuilder,       // a shape's builder (comm ncp-builder), which forks the warm sandboxes
};

struct ProcessSample {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string comm;
  ProcessRole role = ProcessRole::kHelper;
  int64_t rss_kib = 0;    // VmRSS
  int64_t pss_kib = -1;   // smaps_rollup Pss; -1 when it cannot be read
  int64_t cpu_ticks = 0;  // utime + stime, in clock ticks
};

// Every live descendant of `root` (not `root` itself), with its role.
std::vector<ProcessSample> SampleDescendants(pid_t root);

// Clock ticks → milliseconds.
double TicksToMs(int64_t ticks);

}  // namespace ncp::bench
