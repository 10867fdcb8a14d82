// The table every start benchmark run ends with: one line per figure, its ratio, and its bar
// (issue 11's bars; figures without one are shown for information).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace ncp::bench {

struct TableLine {
  std::string figure;
  double ratio = 0;
  double bar = 0;     // the ratio must be at most this; 0: no bar
  std::string value;  // shown instead of the ratio when set (a figure that is not a ratio)
};

inline void PrintTable(const std::vector<TableLine>& lines) {
  std::printf("\n%-58s %8s %8s  %s\n", "figure (ncp / anchor, medians)", "ratio", "bar", "");
  for (const TableLine& l : lines) {
    if (!l.value.empty()) {
      std::printf("%-58s %s\n", l.figure.c_str(), l.value.c_str());
    } else if (l.bar > 0) {
      std::printf("%-58s %7.2fx  <=%.2fx  %s\n", l.figure.c_str(), l.ratio, l.bar,
                  l.ratio <= l.bar ? "meets bar" : "misses bar");
    } else {
      std::printf("%-58s %7.2fx  %7s\n", l.figure.c_str(), l.ratio, "-");
    }
  }
}

}  // namespace ncp::bench
