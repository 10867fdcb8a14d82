#include "pool_cost.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "anchors.h"
#include "children.h"
#include "clock.h"
#include "proc_tree.h"

namespace ncp::bench {
namespace {

// The pool refills in the background: the tree counts as settled once its set of processes has
// not changed for this long (or after the limit, on a machine too loaded to tell).
constexpr int kSettledMs = 300;
constexpr int kSettleLimitMs = 5000;

std::set<pid_t> Pids(const std::vector<ProcessSample>& samples) {
  std::set<pid_t> pids;
  for (const ProcessSample& s : samples) pids.insert(s.pid);
  return pids;
}

void WaitUntilTreeSettles() {
  const int64_t limit = MonotonicNs() + int64_t{kSettleLimitMs} * 1'000'000;
  std::set<pid_t> last = Pids(SampleDescendants(getpid()));
  int64_t unchanged_since = MonotonicNs();
  while (MonotonicNs() < limit) {
    SleepMs(50);
    std::set<pid_t> now = Pids(SampleDescendants(getpid()));
    if (now != last) {
      last = now;
      unchanged_since = MonotonicNs();
    } else if (MonotonicNs() - unchanged_since >= int64_t{kSettledMs} * 1'000'000) {
      return;
    }
  }
}

RoleCost& CostOf(PoolProbe& probe, ProcessRole role) {
  switch (role) {
    case ProcessRole::kHelper:
      return probe.helpers;
    case ProcessRole::kNormalWarm:
      return probe.normal_warm;
    case ProcessRole::kBuilder:
      return probe.builders;
    case ProcessRole::kIsolatedWarm:
      break;
  }
  return probe.isolated_warm;
}

void PrintCost(const char* name, const RoleCost& c) {
  std::printf("%s %d %lld %lld %.3f\n", name, c.count, static_cast<long long>(c.rss_kib),
              static_cast<long long>(c.pss_kib), c.cpu_ms);
}

bool ParseCost(const std::string& line, const char* name, RoleCost* c) {
  long long rss = 0, pss = 0;
  const std::string format = std::string(name) + " %d %lld %lld %lf";
  if (std::sscanf(line.c_str(), format.c_str(), &c->count, &rss, &pss, &c->cpu_ms) != 4) {
    return false;
  }
  c->rss_kib = rss;
  c->pss_kib = pss;
  return true;
}

PoolProbe RunProbeProcess(int pool_size, int starts_per_mode, int idle_ms) {
  Pipe out;
  const pid_t pid = SpawnProgram({"/proc/self/exe", "--pool-probe", std::to_string(pool_size),
                                  std::to_string(starts_per_mode), std::to_string(idle_ms)},
                                 out.write_fd());
  out.CloseWriteEnd();
  std::string text;
  char buf[512];
  for (ssize_t n; (n = read(out.read_fd(), buf, sizeof buf)) > 0;) {
    text.append(buf, static_cast<size_t>(n));
  }
  WaitProgram(pid, "the pool probe");
  PoolProbe probe;
  size_t parsed = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    long long rss = 0;
    if (std::sscanf(line.c_str(), "peak_rss_kib %lld", &rss) == 1) {
      probe.peak_rss_kib = rss;
      ++parsed;
    }
    parsed += ParseCost(line, "helpers", &probe.helpers) +
              ParseCost(line, "normal_warm", &probe.normal_warm) +
              ParseCost(line, "isolated_warm", &probe.isolated_warm) +
              ParseCost(line, "builders", &probe.builders);
    start = end + 1;
  }
  if (parsed != 5) {
    std::fprintf(stderr, "the pool probe printed:\n%s", text.c_str());
    std::exit(1);
  }
  return probe;
}

}  // namespace

int RunPoolProbe(int pool_size, int starts_per_mode, int idle_ms) {
  if (pool_size == 0) {
    SetPoolCold();
  } else {
    SetPoolDefault();
  }
  TrackChildExits();
  for (bool isolated : {false, true}) {
    for (int i = 0; i < starts_per_mode; ++i) {
      WaitForExit(StartEntry("Return", isolated, nullptr));
    }
  }
  WaitUntilTreeSettles();
  const std::vector<ProcessSample> before = SampleDescendants(getpid());
  SleepMs(idle_ms);
  const std::vector<ProcessSample> after = SampleDescendants(getpid());
  std::map<pid_t, int64_t> ticks_before;
  for (const ProcessSample& s : before) ticks_before[s.pid] = s.cpu_ticks;
  PoolProbe probe;
  for (const ProcessSample& s : after) {
    RoleCost& cost = CostOf(probe, s.role);
    ++cost.count;
    cost.rss_kib += s.rss_kib;
    cost.pss_kib = cost.pss_kib < 0 || s.pss_kib < 0 ? -1 : cost.pss_kib + s.pss_kib;
    // A process born during the window (a refill) counts with all its CPU time.
    auto it = ticks_before.find(s.pid);
    cost.cpu_ms += TicksToMs(s.cpu_ticks - (it != ticks_before.end() ? it->second : 0));
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak_rss_kib %ld\n", usage.ru_maxrss);
  PrintCost("helpers", probe.helpers);
  PrintCost("normal_warm", probe.normal_warm);
  PrintCost("isolated_warm", probe.isolated_warm);
  PrintCost("builders", probe.builders);
  return 0;
}

PoolCostFigures MeasurePoolCost(int starts_per_mode, int idle_ms) {
  PoolCostFigures figures;
  figures.cold = RunProbeProcess(0, starts_per_mode, idle_ms);
  figures.warm = RunProbeProcess(kDefaultPoolSize, starts_per_mode, idle_ms);
  figures.idle_ms = idle_ms;
  return figures;
}

}  // namespace ncp::bench
