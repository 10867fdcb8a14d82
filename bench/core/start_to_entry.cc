#include "start_to_entry.h"

#include <cstdio>
#include <cstdlib>

#include "anchors.h"
#include "children.h"
#include "clock.h"

namespace ncp::bench {
namespace {

constexpr int kWarmUpStarts = 4;

// One start → entry; the child's pid goes to `pids`, to be waited for outside the timing.
double OneStart(bool isolated, std::vector<int32_t>* pids) {
  Pipe pipe;
  NativeChildProcess_Fd out{const_cast<char*>("out"), pipe.write_fd(), nullptr};
  const int64_t t0 = MonotonicNs();
  pids->push_back(StartEntry("WriteTimestamp", isolated, &out));
  const int64_t entry = ReadTimestamp(pipe.read_fd());
  if (entry < t0) {
    std::fprintf(stderr, "the entry's clock is behind the application's: not CLOCK_MONOTONIC?\n");
    std::exit(1);
  }
  return NsToUs(entry - t0);
}

void WaitForAll(std::vector<int32_t>* pids) {
  for (int32_t pid : *pids) WaitForExit(pid);
  pids->clear();
}

// `n` starts of ncp with `pacing`, appended to `us`. A child is waited for only after the chunk:
// back to back means the next start follows the previous entry at once.
void NcpChunk(bool isolated, Pacing pacing, int n, std::vector<double>* us) {
  std::vector<int32_t> pids;
  Pacer pacer(pacing);
  for (int i = 0; i < n; ++i) {
    pacer.WaitForNext();
    us->push_back(OneStart(isolated, &pids));
  }
  WaitForAll(&pids);
}

void AnchorChunk(const StartPlan& plan, const std::vector<std::string>& bwrap, int n,
                 std::vector<double>* us) {
  Pacer pacer(plan.pacing);
  for (int i = 0; i < n; ++i) {
    pacer.WaitForNext();
    us->push_back(plan.isolated ? TimeRun(bwrap) : TimePosixSpawnTrue());
  }
}

// Starts that fill the pool (warm) or settle the library after a change of pool (cold), waited
// for, then a pause for background refills (long enough on a loaded machine).
void WarmUp(bool isolated, int starts) {
  std::vector<int32_t> pids;
  for (int i = 0; i < starts; ++i) {
    OneStart(isolated, &pids);
    WaitForAll(&pids);
  }
  SleepMs(200);
}

}  // namespace

StartFigures MeasureStartToEntry(const StartPlan& plan, const std::vector<std::string>& bwrap) {
  std::vector<double> anchor, cold, warm;
  const int rounds = plan.rounds > 0 ? plan.rounds : 1;
  for (int round = 0; round < rounds; ++round) {
    // The last round takes what the division left over.
    const int n = plan.iterations / rounds + (round == rounds - 1 ? plan.iterations % rounds : 0);
    AnchorChunk(plan, bwrap, n, &anchor);
    SetPoolCold();
    WarmUp(plan.isolated, 1);
    NcpChunk(plan.isolated, plan.pacing, n, &cold);
    SetPoolDefault();
    WarmUp(plan.isolated, kWarmUpStarts);
    NcpChunk(plan.isolated, plan.pacing, n, &warm);
  }
  return {Summarize(anchor), Summarize(cold), Summarize(warm)};
}

}  // namespace ncp::bench
