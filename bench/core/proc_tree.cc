#include "proc_tree.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace ncp::bench {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The kB figure of the line starting with `key` (never the first line, in the files read here),
// or -1 when there is none (the file could not be read).
int64_t KibField(const std::string& text, const std::string& key) {
  const size_t at = text.find("\n" + key);
  if (at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + 1 + key.size(), nullptr, 10);
}

std::string UserNamespace(pid_t pid) {
  char link[256];
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/user";
  const ssize_t n = readlink(path.c_str(), link, sizeof link - 1);
  return n > 0 ? std::string(link, static_cast<size_t>(n)) : "";
}

// Parses /proc/PID/stat: the comm is in parentheses and may hold spaces, so fields are counted
// after the last ')': state is field 3, ppid 4, utime 14, stime 15.
bool ReadStat(pid_t pid, ProcessSample* out) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t open = stat.find('(');
  const size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  out->pid = pid;
  out->comm = stat.substr(open + 1, close - open - 1);
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f;
  for (std::string s; fields >> s;) f.push_back(s);
  if (f.size() < 13) return false;
  out->ppid = static_cast<pid_t>(std::atoi(f[1].c_str()));
  out->cpu_ticks = std::atoll(f[11].c_str()) + std::atoll(f[12].c_str());
  return true;
}

}  // namespace

std::vector<ProcessSample> SampleDescendants(pid_t root) {
  std::map<pid_t, ProcessSample> all;
  if (DIR* proc = opendir("/proc")) {
    while (dirent* e = readdir(proc)) {
      const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      ProcessSample s;
      if (pid > 0 && ReadStat(pid, &s)) all[pid] = s;
    }
    closedir(proc);
  }
  const std::string own_userns = UserNamespace(root);
  std::vector<ProcessSample> found;
  // Breadth first from root, so a parent's role is known before its children's.
  std::vector<pid_t> frontier = {root};
  std::map<pid_t, ProcessRole> role;
  while (!frontier.empty()) {
    std::vector<pid_t> next;
    for (auto& [pid, s] : all) {
      bool below = false;
      for (pid_t parent : frontier) below = below || s.ppid == parent;
      if (!below) continue;
      const std::string base = "/proc/" + std::to_string(pid);
      const std::string ns = UserNamespace(pid);
      if (s.ppid == root) {
        s.role = ProcessRole::kHelper;
      } else if (s.comm == "ncp-builder") {
        s.role = ProcessRole::kBuilder;
      } else if (role[s.ppid] == ProcessRole::kIsolatedWarm || s.comm == "ncp-launch" ||
                 (!ns.empty() && ns != own_userns)) {
        s.role = ProcessRole::kIsolatedWarm;
      } else {
        s.role = ProcessRole::kNormalWarm;
      }
      s.rss_kib = KibField(ReadFile(base + "/status"), "VmRSS:");
      s.pss_kib = KibField(ReadFile(base + "/smaps_rollup"), "Pss:");
      // A normal child's teardown helper shares that child's memory (one address space, so
      // its RSS and PSS are the child's again): it counts as a process and for its CPU only.
      if (s.comm == "ncp-teardown") s.rss_kib = s.pss_kib = 0;
      role[pid] = s.role;
      found.push_back(s);
      next.push_back(pid);
    }
    frontier = next;
  }
  return found;
}

double TicksToMs(int64_t ticks) {
  return static_cast<double>(ticks) * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace ncp::bench
