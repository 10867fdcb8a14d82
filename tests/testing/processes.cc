#include "testing/processes.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace ncp::testing {

std::vector<pid_t> Descendants(pid_t root) {
  // One pass over /proc for {pid, ppid}, then a breadth-first walk from `root`: no process is
  // missed the way /proc/PID/task/*/children can miss one that was reparented meanwhile.
  std::vector<std::pair<pid_t, pid_t>> parent_of;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream file(entry.path().string() + "/stat");
    std::stringstream stat_text;
    stat_text << file.rdbuf();
    const std::string stat = stat_text.str();
    const size_t close_paren = stat.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 > stat.size()) continue;
    std::istringstream rest(stat.substr(close_paren + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    parent_of.emplace_back(std::stoi(name), ppid);
  }
  std::vector<pid_t> out = {root};
  for (size_t i = 0; i < out.size(); ++i) {
    for (const auto& [pid, ppid] : parent_of) {
      if (ppid == out[i]) out.push_back(pid);
    }
  }
  out.erase(out.begin());
  return out;
}

HostUids HostUidsOf(pid_t pid) {
  HostUids uids;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) != 0) continue;
    std::istringstream fields(line.substr(4));
    long real = -1, effective = -1;
    if (fields >> real >> effective) uids = {real, effective};
    break;
  }
  return uids;
}

}  // namespace ncp::testing
