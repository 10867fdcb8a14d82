#include "base/process_umask.h"

#include <cstdio>

namespace ncp::base {

mode_t CurrentUmask() {
  FILE* f = std::fopen("/proc/self/status", "re");
  unsigned value = 022;
  if (f == nullptr) return value;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "Umask: %o", &value) == 1) break;
  }
  std::fclose(f);
  return static_cast<mode_t>(value);
}

}  // namespace ncp::base
