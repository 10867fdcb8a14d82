// The one clock the --verbose step timings read. CLOCK_MONOTONIC, because a step's duration must
// not jump with the wall clock; clock_gettime is async-signal-safe, so this works between clone
// and exec too.
#pragma once

#include <cstdint>

namespace ncp::base {

// Microseconds since an arbitrary fixed point (the boot, in practice); only differences mean
// anything.
int64_t MonotonicMicros();

}  // namespace ncp::base
