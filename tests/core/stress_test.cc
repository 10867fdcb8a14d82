// 8 threads each start and reap 64 children while others register and unregister callbacks;
// afterwards the parent has no leaked fd, thread or zombie.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/child_test_support.h"

namespace ncp::testing {
namespace {

std::atomic<int> g_calls{0};
void CountA(int32_t, int32_t) { ++g_calls; }
void CountB(int32_t, int32_t) { ++g_calls; }

TEST(Stress, ConcurrentStartsAndRegistrationsLeakNothing) {
  {
    // Warm up: the registry's threads exist from the first use on; they are not leaks.
    ExitWatcher warm;
    int32_t pid = 0;
    ASSERT_EQ(StartEntry("EchoParams", "x", nullptr, &pid), NCP_NO_ERROR);
    warm.Wait(pid);
  }
  // The application holds two fds per prepared child (its channel and pidfd), however many
  // are prepared at the moment: counted with none.
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  const int fds_before = CountOpenFds();
  ASSERT_EQ(NCP_SetWarmPool(2, 30000), NCP_NO_ERROR);
  const int threads_before = CountThreads();

  ExitWatcher watcher;
  std::atomic<bool> stop{false};
  std::vector<std::thread> churn;
  for (auto* fn : {&CountA, &CountB}) {
    churn.emplace_back([&stop, fn] {
      while (!stop) {
        EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(fn), NCP_NO_ERROR);
        EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(fn), NCP_NO_ERROR);
      }
    });
  }
  std::vector<std::thread> starters;
  std::atomic<int> started{0};
  for (int t = 0; t < 8; ++t) {
    starters.emplace_back([&] {
      for (int i = 0; i < 64; ++i) {
        int32_t pid = 0;
        const char* entry = i % 3 == 0 ? "CrashSegv" : "EchoParams";
        ASSERT_EQ(StartEntry(entry, "x", nullptr, &pid), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
        ++started;
        NCP_ChildExitInfo info = watcher.Wait(pid);
        EXPECT_EQ(info.signal, i % 3 == 0 ? SIGSEGV : 0);
      }
    });
  }
  for (auto& t : starters) t.join();
  stop = true;
  for (auto& t : churn) t.join();

  EXPECT_EQ(started.load(), 512);
  // Prepared children (the warm pool) are let go when the pool is emptied; then none is left.
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  EXPECT_EQ(CountOpenFds(), fds_before);
  EXPECT_EQ(CountThreads(), threads_before + 0);
  // The only child of this process is its fork server, which has no child (live or zombie) left.
  std::vector<pid_t> children = ChildrenOfThisProcess();
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(ProcessName(children[0]), "ncp-forkserver");
  for (int i = 0; i < 500 && !ChildrenOf(children[0]).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(ChildrenOf(children[0]).empty()) << "a child or zombie is left";
  NCP_SetWarmPool(2, 30000);
}

}  // namespace
}  // namespace ncp::testing
