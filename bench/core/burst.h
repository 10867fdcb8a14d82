// Row 3: a burst of isolated starts, each waited for until its exit callback before the next,
// timed from the first call to the last callback, with the default pool after warm-up starts;
// against the same number of bwrap runs back to back (spawn → exit each).
#pragma once

#include <string>
#include <vector>

#include "stats.h"

namespace ncp::bench {

struct BurstPlan {
  int starts = 40;
  int warm_up_starts = 8;
  int rounds = 1;  // bursts of each, alternating, so noise hits both alike
};

struct BurstFigures {
  Summary anchor;  // whole bursts, in microseconds
  Summary ncp;
};

BurstFigures MeasureBurst(const BurstPlan& plan, const std::vector<std::string>& bwrap);

}  // namespace ncp::bench
