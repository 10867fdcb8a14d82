// Rows 1 and 2: start → entry, from the call of OH_Ability_StartNativeChildProcess to the
// CLOCK_MONOTONIC time the entry wrote first thing, cold (NCP_SetWarmPool(0, 0)) and warm (the
// default pool, after warm-up starts), against an anchor spawned and waited for with the same
// pacing: posix_spawn of /bin/true for normal starts, bwrap running `true` for isolated ones.
#pragma once

#include <string>
#include <vector>

#include "pacing.h"
#include "stats.h"

namespace ncp::bench {

struct StartPlan {
  bool isolated = false;
  Pacing pacing = Pacing::kSpaced;
  int iterations = 0;  // of each of anchor, cold and warm
  int rounds = 1;      // the three interleave in this many rounds, so noise hits all alike
};

struct StartFigures {
  Summary anchor;
  Summary cold;
  Summary warm;
};

// `bwrap` is BwrapTrueCommand(), used for isolated plans.
StartFigures MeasureStartToEntry(const StartPlan& plan, const std::vector<std::string>& bwrap);

}  // namespace ncp::bench
