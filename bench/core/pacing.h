// How starts follow each other: spaced (one every 15 ms, as an application starting workers now
// and then, which leaves a warm pool time to refill) or back to back (the next as soon as the
// previous one has been measured).
#pragma once

#include <cstdint>

#include "clock.h"

namespace ncp::bench {

enum class Pacing { kSpaced, kBackToBack };

inline const char* PacingName(Pacing p) { return p == Pacing::kSpaced ? "spaced" : "back to back"; }

class Pacer {
 public:
  static constexpr int64_t kSpacingNs = 15'000'000;

  explicit Pacer(Pacing pacing) : pacing_(pacing) {}

  // Returns when the next start is due: 15 ms after the previous one began (at once when that
  // has passed already, as on a loaded machine), or at once back to back.
  void WaitForNext() {
    if (pacing_ == Pacing::kSpaced && last_start_ns_ != 0) {
      SleepUntilNs(last_start_ns_ + kSpacingNs);
    }
    last_start_ns_ = MonotonicNs();
  }

 private:
  Pacing pacing_;
  int64_t last_start_ns_ = 0;
};

}  // namespace ncp::bench
