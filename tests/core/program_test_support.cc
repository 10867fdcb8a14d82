#include "core/program_test_support.h"

#include <sstream>

namespace ncp::testing {

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::map<std::string, std::vector<std::string>> ParseProgramOutput(const std::string& out) {
  std::map<std::string, std::vector<std::string>> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    lines[line.substr(0, eq)].push_back(line.substr(eq + 1));
  }
  return lines;
}

}  // namespace ncp::testing
