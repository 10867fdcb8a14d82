// The start benchmark: issue 11's rows, each against its anchor measured in the same run, through
// the public API only (see bench/README.md for what each row measures and how).
//   1. normal start → entry, spaced and back to back, cold and warm / posix_spawn of /bin/true
//   2. isolated start → entry, the same / bwrap --unshare-all ... true
//   3. a burst of 40 isolated starts, each waited for / 40 bwrap runs
//   4. a child's last write → the exit callback / → waitpid of a direct child
//   5. peak RSS with and without the pool, and what an idle pool costs
// Ends with one table of the ratios and their bars.
// Usage: start_bench [--quick] [--rows=12345]
//        start_bench --pool-probe SIZE STARTS IDLE_MS     (row 5's probe; not for people)
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "anchors.h"
#include "bar_table.h"
#include "burst.h"
#include "children.h"
#include "clock.h"
#include "exit_report.h"
#include "pool_cost.h"
#include "start_to_entry.h"
#include "stats.h"

namespace {

using namespace ncp::bench;

struct Options {
  bool quick = false;
  std::string rows = "12345";
};

// Iteration counts: enough for stable medians on a noisy 2-core machine, the whole run within
// about two minutes; --quick is a smoke run.
struct Counts {
  int normal_spaced, normal_back_to_back, isolated_spaced, isolated_back_to_back, rounds;
  int burst_rounds, exit_iterations, probe_starts, idle_ms;
};
constexpr Counts kFull = {60, 200, 40, 40, 4, 3, 60, 10, 2000};
constexpr Counts kQuick = {12, 30, 6, 6, 2, 1, 10, 3, 2000};

bool Wants(const Options& o, char row) { return o.rows.find(row) != std::string::npos; }

std::string Label(const char* mode, Pacing pacing, const char* pool) {
  return std::string(mode) + " start->entry, " + PacingName(pacing) + ", " + pool;
}

void StartRows(bool isolated, const Counts& c, const std::vector<std::string>& bwrap,
               std::vector<TableLine>* table) {
  const char* mode = isolated ? "isolated" : "normal";
  const double warm_spaced_bar = isolated ? 0.25 : 0.35;
  std::printf("\n%s start -> entry / %s\n", mode,
              isolated ? "bwrap --unshare-all ... true" : "posix_spawn + wait of /bin/true");
  for (Pacing pacing : {Pacing::kSpaced, Pacing::kBackToBack}) {
    StartPlan plan;
    plan.isolated = isolated;
    plan.pacing = pacing;
    plan.rounds = c.rounds;
    plan.iterations = pacing == Pacing::kSpaced
                          ? (isolated ? c.isolated_spaced : c.normal_spaced)
                          : (isolated ? c.isolated_back_to_back : c.normal_back_to_back);
    const StartFigures f = MeasureStartToEntry(plan, bwrap);
    const std::string cold = Label(mode, pacing, "cold");
    const std::string warm = Label(mode, pacing, "warm");
    PrintPair(cold.c_str(), f.cold, f.anchor);
    PrintPair(warm.c_str(), f.warm, f.anchor);
    table->push_back({cold, Ratio(f.cold, f.anchor), 0});
    table->push_back(
        {warm, Ratio(f.warm, f.anchor), pacing == Pacing::kSpaced ? warm_spaced_bar : 0});
  }
}

void BurstRow(const Counts& c, const std::vector<std::string>& bwrap,
              std::vector<TableLine>* table) {
  BurstPlan plan;
  plan.rounds = c.burst_rounds;
  const BurstFigures f = MeasureBurst(plan, bwrap);
  std::printf(
      "\nburst: %d isolated starts, each until its exit callback / %d bwrap runs "
      "(%d bursts each)\n",
      plan.starts, plan.starts, plan.rounds);
  PrintPair("burst of 40 (whole burst)", f.ncp, f.anchor);
  table->push_back({"burst: 40 isolated starts / 40 bwrap runs", Ratio(f.ncp, f.anchor), 1.0});
}

void ExitRows(const Counts& c, std::vector<TableLine>* table) {
  std::printf("\nexit report: the child's last write -> exit callback / -> waitpid returns\n");
  struct Variant {
    bool isolated;
    int spacing_ms;
    const char* name;
  };
  // Spaced 20 ms, the pool refills between starts: the normal children are warm ones.
  for (const Variant& v :
       {Variant{false, 0, "normal child"}, Variant{false, 20, "normal child, spaced (warm)"},
        Variant{true, 0, "isolated child"}}) {
    ExitPlan plan;
    plan.isolated = v.isolated;
    plan.iterations = v.isolated || v.spacing_ms != 0 ? c.exit_iterations / 2 : c.exit_iterations;
    plan.rounds = c.rounds;
    plan.spacing_ms = v.spacing_ms;
    const ExitFigures f = MeasureExitReport(plan);
    const std::string name = std::string("exit report, ") + v.name;
    PrintPair(name.c_str(), f.ncp, f.anchor);
    table->push_back({name + " / waitpid", Ratio(f.ncp, f.anchor), v.isolated ? 0 : 1.5});
  }
}

void PrintRoleCost(const char* role, const RoleCost& c, int idle_ms) {
  std::printf("  %-30s %2d processes  RSS %7lld KiB  PSS ", role, c.count,
              static_cast<long long>(c.rss_kib));
  if (c.pss_kib >= 0) {
    std::printf("%7lld KiB", static_cast<long long>(c.pss_kib));
  } else {
    std::printf("%11s", "n/a");
  }
  std::printf("  CPU %6.1f ms in %d ms idle\n", c.cpu_ms, idle_ms);
}

// "N processes, PSS (or RSS) KiB, CPU ms": one line of the table.
std::string IdleCost(const RoleCost& c) {
  char text[128];
  if (c.pss_kib >= 0) {
    std::snprintf(text, sizeof text, "%d procs, PSS %lld KiB, CPU %.1f ms", c.count,
                  static_cast<long long>(c.pss_kib), c.cpu_ms);
  } else {
    std::snprintf(text, sizeof text, "%d procs, RSS %lld KiB, CPU %.1f ms", c.count,
                  static_cast<long long>(c.rss_kib), c.cpu_ms);
  }
  return text;
}

void PoolCostRow(const Counts& c, std::vector<TableLine>* table) {
  const PoolCostFigures f = MeasurePoolCost(c.probe_starts, c.idle_ms);
  std::printf("\npool cost: %d normal + %d isolated starts, then %d ms idle (fresh process each)\n",
              c.probe_starts, c.probe_starts, f.idle_ms);
  std::printf("  application peak RSS: no pool %lld KiB, default pool %lld KiB\n",
              static_cast<long long>(f.cold.peak_rss_kib),
              static_cast<long long>(f.warm.peak_rss_kib));
  std::printf(" no pool:\n");
  PrintRoleCost("fork server (helpers)", f.cold.helpers, f.idle_ms);
  PrintRoleCost("other descendants", f.cold.normal_warm, f.idle_ms);
  PrintRoleCost("sandboxes", f.cold.isolated_warm, f.idle_ms);
  std::printf(" default pool, filled:\n");
  PrintRoleCost("fork server (helpers)", f.warm.helpers, f.idle_ms);
  PrintRoleCost("prepared normal children", f.warm.normal_warm, f.idle_ms);
  PrintRoleCost("prepared sandboxes", f.warm.isolated_warm, f.idle_ms);
  PrintRoleCost("sandbox builders", f.warm.builders, f.idle_ms);
  const double ratio = f.cold.peak_rss_kib > 0 ? static_cast<double>(f.warm.peak_rss_kib) /
                                                     static_cast<double>(f.cold.peak_rss_kib)
                                               : 0;
  table->push_back({"application peak RSS, default pool / no pool", ratio, 0});
  table->push_back({"idle pool: prepared normal children", 0, 0, IdleCost(f.warm.normal_warm)});
  table->push_back({"idle pool: prepared sandboxes", 0, 0, IdleCost(f.warm.isolated_warm)});
  table->push_back({"idle pool: sandbox builders", 0, 0, IdleCost(f.warm.builders)});
}

void FiveHundredTwelve() {
  SetPoolDefault();
  std::vector<int32_t> pids;
  const int64_t t0 = MonotonicNs();
  for (int i = 0; i < 512; ++i) pids.push_back(StartEntry("Sleep", false, nullptr));
  const double total_us = NsToUs(MonotonicNs() - t0);
  for (int32_t pid : pids) OH_Ability_KillChildProcess(pid);
  for (int32_t pid : pids) WaitForExitAnyStatus(pid);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("\n512 normal children back to back: %.1f ms, %.1f us each; peak RSS %ld KiB\n",
              total_us / 1000, total_us / 512, usage.ru_maxrss);
}

int Usage() {
  std::fprintf(stderr, "usage: start_bench [--quick] [--rows=12345]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  setenv("NCP_LIBRARY_PATH", NCP_BENCH_LIB_DIR, 0);
  // The pool is set explicitly by every row; a stray setting must not change what "default" is.
  unsetenv("NCP_WARM_POOL");
  // Isolated rows are defined with the profile "default", which applies when none is named.
  unsetenv("NCP_PROFILE");
  if (argc == 5 && std::strcmp(argv[1], "--pool-probe") == 0) {
    return RunPoolProbe(std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]));
  }
  // Rows take seconds each: show them as they come, also through a pipe.
  setvbuf(stdout, nullptr, _IOLBF, 0);
  Options options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      options.quick = true;
    } else if (std::strncmp(argv[i], "--rows=", 7) == 0) {
      options.rows = argv[i] + 7;
    } else {
      return Usage();
    }
  }
  const Counts& counts = options.quick ? kQuick : kFull;
  const std::vector<std::string> bwrap = BwrapTrueCommand();
  if (bwrap.empty() && (Wants(options, '2') || Wants(options, '3'))) {
    std::printf("bwrap not found: install bubblewrap (scripts/bench does)\n");
    return 1;
  }
  TrackChildExits();
  // Page cache, the library's threads and the fork server, the sandbox's compiled filter.
  for (int i = 0; i < 5; ++i) {
    TimePosixSpawnTrue();
    if (!bwrap.empty()) TimeRun(bwrap);
    WaitForExit(StartEntry("Return", false, nullptr));
    WaitForExit(StartEntry("Return", true, nullptr));
  }
  std::printf("ncp start benchmark%s: ncp median / p90, anchor median / p90, ratio of medians\n",
              options.quick ? " (--quick: a smoke run, too few iterations to judge)" : "");
  std::vector<TableLine> table;
  if (Wants(options, '1')) StartRows(false, counts, bwrap, &table);
  if (Wants(options, '2')) StartRows(true, counts, bwrap, &table);
  if (Wants(options, '3')) BurstRow(counts, bwrap, &table);
  if (Wants(options, '4')) ExitRows(counts, &table);
  if (Wants(options, '5')) PoolCostRow(counts, &table);
  if (!options.quick && Wants(options, '5')) FiveHundredTwelve();
  PrintTable(table);
  return 0;
}
