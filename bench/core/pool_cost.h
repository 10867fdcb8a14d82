// Row 5: what the warm pool costs. Each figure comes from a fresh copy of the benchmark (a probe,
// `start_bench --pool-probe SIZE`), so its peak RSS is its own: the same starts (normal and
// isolated, each waited for) with no pool and with the default pool; then, with the pool filled
// and idle for 2 s, the summed RSS / PSS and the CPU time of the application's descendants, by
// role (the fork server; prepared normal children; prepared sandboxes).
#pragma once

#include <cstdint>

namespace ncp::bench {

struct RoleCost {
  int count = 0;
  int64_t rss_kib = 0;
  int64_t pss_kib = 0;  // -1 when some process's could not be read
  double cpu_ms = 0;    // during the idle window
};

struct PoolProbe {
  int64_t peak_rss_kib = 0;  // the probe's own ru_maxrss
  RoleCost helpers, normal_warm, isolated_warm, builders;
};

struct PoolCostFigures {
  PoolProbe cold;  // NCP_SetWarmPool(0, 0)
  PoolProbe warm;  // the defaults
  int idle_ms = 0;
};

// Runs both probes (each in a new process running this program) and collects their figures.
PoolCostFigures MeasurePoolCost(int starts_per_mode, int idle_ms);

// The probe's main: `pool_size` 0 or the default; prints its figures on stdout.
int RunPoolProbe(int pool_size, int starts_per_mode, int idle_ms);

}  // namespace ncp::bench
