// Row 4: exit report, from a child's last write (a CLOCK_MONOTONIC timestamp on a pipe, after
// which its entry returns) to the exit callback, with the default pool; against a direct child
// the benchmark forks itself, doing the same and calling _exit, while the benchmark is blocked
// in waitpid on it (last write → waitpid returns). Back to back, most normal children are cold
// (the pool has no time to refill); spaced, they are warm.
#pragma once

#include "stats.h"

namespace ncp::bench {

struct ExitPlan {
  bool isolated = false;
  int iterations = 0;
  int rounds = 1;
  int spacing_ms = 0;  // before each child, the anchor's and ncp's alike
};

struct ExitFigures {
  Summary anchor;
  Summary ncp;
};

ExitFigures MeasureExitReport(const ExitPlan& plan);

}  // namespace ncp::bench
