// CLOCK_MONOTONIC in nanoseconds: the one clock the benchmarks, their children and the children's
// sandboxes share (it is system-wide; ncp-launch makes no time namespace), so a timestamp a child
// writes can be subtracted from one the application took.
#pragma once

#include <time.h>

#include <cstdint>

namespace ncp::bench {

inline int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline double NsToUs(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

// Sleeps until the absolute CLOCK_MONOTONIC time `deadline_ns` (returns at once if it passed).
inline void SleepUntilNs(int64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1'000'000'000),
              static_cast<long>(deadline_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

inline void SleepMs(int64_t ms) { SleepUntilNs(MonotonicNs() + ms * 1'000'000); }

}  // namespace ncp::bench
