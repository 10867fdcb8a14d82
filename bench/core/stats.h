// Median / p99 of a set of latencies, and the one-line report format all benchmarks print.
#pragma once

#include <algorithm>
#include <cstdio>
#include <vector>

namespace ncp::bench {

struct Summary {
  double median_us;
  double p99_us;
};

inline Summary Summarize(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[static_cast<size_t>(q * static_cast<double>(us.size() - 1))]; };
  return {at(0.5), at(0.99)};
}

inline void PrintRow(const char* name, const Summary& s, const Summary& anchor) {
  std::printf("%-44s median %9.1f us  p99 %9.1f us  ratio %5.2fx\n", name, s.median_us, s.p99_us,
              s.median_us / anchor.median_us);
}

}  // namespace ncp::bench
