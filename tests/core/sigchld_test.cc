// The application's own SIGCHLD handling cannot lose or steal a child's exit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <thread>

#include "core/child_test_support.h"

namespace ncp::testing {
namespace {

// Restores SIGCHLD's disposition at the end of a test.
class SigchldGuard {
 public:
  SigchldGuard() { sigaction(SIGCHLD, nullptr, &saved_); }
  ~SigchldGuard() { sigaction(SIGCHLD, &saved_, nullptr); }

 private:
  struct sigaction saved_ {};
};

void ExpectExitCode(ExitWatcher& watcher, const char* code) {
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("ExitWith", code, nullptr, &pid), NCP_NO_ERROR);
  EXPECT_EQ(watcher.Wait(pid).exitCode, atoi(code));
}

TEST(Sigchld, IgnoredByTheApplication) {
  SigchldGuard guard;
  signal(SIGCHLD, SIG_IGN);  // would make the kernel auto-reap SIGCHLD children
  ExitWatcher watcher;
  ExpectExitCode(watcher, "7");
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("CrashSegv", nullptr, nullptr, &pid), NCP_NO_ERROR);
  EXPECT_EQ(watcher.Wait(pid).signal, SIGSEGV);
}

std::atomic<int> g_sigchld_count{0};
void CountSigchld(int) { ++g_sigchld_count; }

TEST(Sigchld, ApplicationHandlerIsNeitherNeededNorBothered) {
  SigchldGuard guard;
  struct sigaction sa {};
  sa.sa_handler = CountSigchld;
  sigaction(SIGCHLD, &sa, nullptr);
  g_sigchld_count = 0;
  ExitWatcher watcher;
  ExpectExitCode(watcher, "5");
  EXPECT_EQ(g_sigchld_count.load(), 0) << "ncp children send no SIGCHLD";
}

TEST(Sigchld, ApplicationReapingWithWaitpidMinusOne) {
  std::atomic<bool> stop{false};
  std::atomic<int> stolen{0};
  std::thread reaper([&] {
    while (!stop) {
      int status;
      if (waitpid(-1, &status, WNOHANG) > 0) ++stolen;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  ExitWatcher watcher;
  for (const char* code : {"9", "10", "11"}) ExpectExitCode(watcher, code);
  stop = true;
  reaper.join();
  EXPECT_EQ(stolen.load(), 0);
}

}  // namespace
}  // namespace ncp::testing
