#include "testing/probe_output.h"

#include <sstream>

namespace ncp::testing {

std::map<std::string, std::string> ParseProbe(const std::string& out) {
  std::map<std::string, std::string> values;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

}  // namespace ncp::testing
