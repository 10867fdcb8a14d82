// What the pid namespace's init tells ncp-launch about the program's end. Needed because init
// cannot die of the program's signal: pid 1 ignores the signals it sends itself.
#pragma once

#include <cstdint>

namespace ncp::launcher {

struct InitStatus {
  uint32_t signaled = 0;  // 1: killed by signal `value`; 0: exited with status `value`
  int32_t value = 0;
};

}  // namespace ncp::launcher
