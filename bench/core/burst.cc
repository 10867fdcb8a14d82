#include "burst.h"

#include "anchors.h"
#include "children.h"
#include "clock.h"

namespace ncp::bench {
namespace {

double NcpBurst(int starts) {
  const int64_t first_call = MonotonicNs();
  int64_t last_callback = first_call;
  for (int i = 0; i < starts; ++i) {
    last_callback = WaitForExit(StartEntry("Return", /*isolated=*/true, nullptr));
  }
  return NsToUs(last_callback - first_call);
}

double BwrapBurst(int runs, const std::vector<std::string>& bwrap) {
  const int64_t t0 = MonotonicNs();
  for (int i = 0; i < runs; ++i) TimeRun(bwrap);
  return NsToUs(MonotonicNs() - t0);
}

}  // namespace

BurstFigures MeasureBurst(const BurstPlan& plan, const std::vector<std::string>& bwrap) {
  SetPoolDefault();
  for (int i = 0; i < plan.warm_up_starts; ++i) {
    WaitForExit(StartEntry("Return", /*isolated=*/true, nullptr));
  }
  std::vector<double> anchor, ncp;
  for (int round = 0; round < plan.rounds; ++round) {
    anchor.push_back(BwrapBurst(plan.starts, bwrap));
    ncp.push_back(NcpBurst(plan.starts));
  }
  return {Summarize(anchor), Summarize(ncp)};
}

}  // namespace ncp::bench
