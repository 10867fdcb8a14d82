// 512 live children per process; a slot frees when a child ends.
#include <gtest/gtest.h>

#include <vector>

#include "core/child_test_support.h"

namespace ncp::testing {
namespace {

TEST(Limits, FiveHundredTwelveLiveChildrenThenRefusalThenASlotFrees) {
  ExitWatcher watcher;
  std::vector<int32_t> pids;
  for (int i = 0; i < 512; ++i) {
    int32_t pid = 0;
    ASSERT_EQ(StartEntry("Sleep", nullptr, nullptr, &pid), NCP_NO_ERROR)
        << "child " << i << ": " << NCP_GetLastErrorMessage();
    pids.push_back(pid);
  }
  int32_t pid = -42;
  EXPECT_EQ(StartEntry("Sleep", nullptr, nullptr, &pid), NCP_ERR_MAX_CHILD_PROCESSES_REACHED);
  EXPECT_EQ(pid, -42);

  ASSERT_EQ(OH_Ability_KillChildProcess(pids.back()), NCP_NO_ERROR);
  watcher.Wait(pids.back());
  pids.pop_back();
  ASSERT_EQ(StartEntry("Sleep", nullptr, nullptr, &pid), NCP_NO_ERROR);
  pids.push_back(pid);

  for (int32_t p : pids) EXPECT_EQ(OH_Ability_KillChildProcess(p), NCP_NO_ERROR);
  for (int32_t p : pids) EXPECT_EQ(watcher.Wait(p).signal, SIGKILL);
}

}  // namespace
}  // namespace ncp::testing
