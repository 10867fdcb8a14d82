// Median / p90 of a set of latencies, and the one-line report formats all benchmarks print.
#pragma once

#include <algorithm>
#include <cstdio>
#include <vector>

namespace ncp::bench {

struct Summary {
  double median_us = 0;
  double p90_us = 0;
};

inline Summary Summarize(std::vector<double> us) {
  if (us.empty()) return {};
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[static_cast<size_t>(q * static_cast<double>(us.size() - 1))];
  };
  return {at(0.5), at(0.9)};
}

inline double Ratio(const Summary& subject, const Summary& anchor) {
  return anchor.median_us > 0 ? subject.median_us / anchor.median_us : 0;
}

inline void PrintRow(const char* name, const Summary& s, const Summary& anchor) {
  std::printf("%-44s median %9.1f us  p90 %9.1f us  ratio %5.2fx\n", name, s.median_us, s.p90_us,
              Ratio(s, anchor));
}

// One subject against its anchor measured in the same run: both figures, then the ratios of the
// medians and of the p90s.
inline void PrintPair(const char* name, const Summary& ncp, const Summary& anchor) {
  std::printf("%-44s ncp %9.1f / %9.1f us  anchor %9.1f / %9.1f us  ratio %5.2fx (p90 %5.2fx)\n",
              name, ncp.median_us, ncp.p90_us, anchor.median_us, anchor.p90_us, Ratio(ncp, anchor),
              anchor.p90_us > 0 ? ncp.p90_us / anchor.p90_us : 0);
}

}  // namespace ncp::bench
