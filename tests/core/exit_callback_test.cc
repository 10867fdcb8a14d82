// Exit reporting: the OpenHarmony callback's (pid, signal), the NCP_ record, kill, ordering,
// and registration from inside callbacks.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "core/child_test_support.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::testing {
namespace {

using namespace std::chrono_literals;

std::mutex g_mu;
std::vector<std::pair<int32_t, int32_t>> g_calls;  // (pid, signal) from OhCallback
std::vector<int> g_order;

void OhCallback(int32_t pid, int32_t signal) {
  std::lock_guard lock(g_mu);
  g_calls.emplace_back(pid, signal);
  g_order.push_back(1);
}
void OhCallbackSecond(int32_t, int32_t) {
  std::lock_guard lock(g_mu);
  g_order.push_back(2);
}

int CallsFor(int32_t pid, int32_t* signal) {
  std::lock_guard lock(g_mu);
  int n = 0;
  for (auto& [p, s] : g_calls) {
    if (p == pid) {
      ++n;
      *signal = s;
    }
  }
  return n;
}

class ExitCallbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::lock_guard lock(g_mu);
    g_calls.clear();
    g_order.clear();
  }
};

// Starts `entry`, waits for its end, returns the signal OhCallback saw (-1 if none).
int32_t SignalReportedFor(const std::string& entry, const char* params = nullptr) {
  ExitWatcher watcher;  // registered after OhCallback, so it runs after it
  int32_t pid = 0;
  EXPECT_EQ(StartEntry(entry, params, nullptr, &pid), NCP_NO_ERROR);
  watcher.Wait(pid);
  int32_t signal = -1;
  EXPECT_EQ(CallsFor(pid, &signal), 1) << "exactly one call per exit";
  return signal;
}

TEST_F(ExitCallbackTest, NormalExitIsSignalZero) {
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  EXPECT_EQ(SignalReportedFor("EchoParams", "x"), 0);
  EXPECT_EQ(SignalReportedFor("ExitWith", "3"), 0);  // exited by itself: signal 0
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
}

TEST_F(ExitCallbackTest, CrashesReportTheirSignal) {
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  EXPECT_EQ(SignalReportedFor("CrashSegv"), SIGSEGV);
  EXPECT_EQ(SignalReportedFor("Abort"), SIGABRT);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
}

TEST_F(ExitCallbackTest, RegisteredTwiceRunsOncePerExit) {
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  EXPECT_EQ(SignalReportedFor("EchoParams", "x"), 0);  // asserts exactly one call
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&OhCallback),
            NCP_ERR_CALLBACK_NOT_EXIST);
}

TEST_F(ExitCallbackTest, CallbacksRunInRegistrationOrderOnALibraryThread) {
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&OhCallbackSecond), NCP_NO_ERROR);
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  SignalReportedFor("EchoParams", "x");
  {
    std::lock_guard lock(g_mu);
    EXPECT_EQ(g_order, (std::vector<int>{2, 1}));
  }
  OH_Ability_UnregisterNativeChildProcessExitCallback(&OhCallback);
  OH_Ability_UnregisterNativeChildProcessExitCallback(&OhCallbackSecond);
}

TEST_F(ExitCallbackTest, NoCallAfterUnregister) {
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  ASSERT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  ExitWatcher watcher;
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("EchoParams", "x", nullptr, &pid), NCP_NO_ERROR);
  watcher.Wait(pid);
  int32_t signal = -1;
  EXPECT_EQ(CallsFor(pid, &signal), 0);
}

TEST_F(ExitCallbackTest, KillReportsSigkillAndTheRecordIsGone) {
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&OhCallback), NCP_NO_ERROR);
  ExitWatcher watcher;
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("Sleep", nullptr, nullptr, &pid), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_KillChildProcess(pid), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_KillChildProcess(pid), NCP_ERR_INVALID_PID);  // dropped at kill time
  NCP_ChildExitInfo info = watcher.Wait(pid);
  EXPECT_EQ(info.signal, SIGKILL);
  EXPECT_EQ(info.exitCode, -1);
  int32_t signal = -1;
  EXPECT_EQ(CallsFor(pid, &signal), 1);
  EXPECT_EQ(signal, SIGKILL);
  EXPECT_EQ(OH_Ability_KillChildProcess(pid), NCP_ERR_INVALID_PID);
  EXPECT_FALSE(ProcessExists(pid));
  OH_Ability_UnregisterNativeChildProcessExitCallback(&OhCallback);
}

TEST_F(ExitCallbackTest, ExitRecordCarriesCodeCpuTimeAndPeakMemory) {
  ExitWatcher watcher;
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("ExitWith", "42", nullptr, &pid), NCP_NO_ERROR);
  NCP_ChildExitInfo info = watcher.Wait(pid);
  EXPECT_EQ(info.structSize, sizeof(NCP_ChildExitInfo));
  EXPECT_EQ(info.pid, pid);
  EXPECT_EQ(info.exitCode, 42);
  EXPECT_EQ(info.signal, 0);
  EXPECT_FALSE(info.coreDumped);

  // 200 ms of CPU and 200 MiB touched: both must show in the record.
  ASSERT_EQ(StartEntry("Burn", "200", nullptr, &pid), NCP_NO_ERROR);
  info = watcher.Wait(pid);
  EXPECT_EQ(info.exitCode, 0);
  EXPECT_GE(info.userTimeUs + info.systemTimeUs, 150000);
  EXPECT_GE(info.maxRssKiB, 150 * 1024);
  EXPECT_LT(info.maxRssKiB, 1024 * 1024);
}

// A callback that registers and unregisters others (and itself) must not deadlock.
void Reentrant(int32_t, int32_t);
void Other(int32_t, int32_t) {}
std::atomic<int> g_reentrant_calls{0};
void Reentrant(int32_t, int32_t) {
  ++g_reentrant_calls;
  EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&Other), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&Other), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&Reentrant), NCP_NO_ERROR);
}

TEST_F(ExitCallbackTest, CallbacksMayRegisterAndUnregisterFromInside) {
  g_reentrant_calls = 0;
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&Reentrant), NCP_NO_ERROR);
  ExitWatcher watcher;
  int32_t a = 0, b = 0;
  ASSERT_EQ(StartEntry("EchoParams", "x", nullptr, &a), NCP_NO_ERROR);
  watcher.Wait(a);
  ASSERT_EQ(StartEntry("EchoParams", "x", nullptr, &b), NCP_NO_ERROR);
  watcher.Wait(b);
  EXPECT_EQ(g_reentrant_calls.load(), 1) << "it unregistered itself after the first exit";
}

// Once Unregister returns, the callback is not running: a slow callback is waited for.
std::atomic<bool> g_slow_running{false};
std::atomic<bool> g_slow_finished{false};
void Slow(int32_t, int32_t) {
  g_slow_running = true;
  std::this_thread::sleep_for(300ms);
  g_slow_finished = true;
}

TEST_F(ExitCallbackTest, UnregisterWaitsForARunningCall) {
  g_slow_running = false;
  g_slow_finished = false;
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&Slow), NCP_NO_ERROR);
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("EchoParams", "x", nullptr, &pid), NCP_NO_ERROR);
  while (!g_slow_running) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&Slow), NCP_NO_ERROR);
  EXPECT_TRUE(g_slow_finished.load());
}

// A worker restarted from its own exit callback: the start from the callback (the fork
// server's way, which waits for an answer that the callback's own thread reads) returns, and
// an end that comes while it waits is reported once, after that callback.
struct Restarter {
  std::mutex mu;
  std::vector<int32_t> ended;  // pids, in callback order
  int32_t first = 0, other = 0, restarted = 0;
  int restart_rc = -1;
  int other_in = -1;  // the write end that keeps `other` alive
};
Restarter* g_restarter = nullptr;

void RestartFirst(const NCP_ChildExitInfo* info, void*) {
  Restarter& r = *g_restarter;
  {
    std::lock_guard lock(r.mu);
    r.ended.push_back(info->pid);
    if (info->pid != r.first) return;
  }
  close(r.other_in);  // `other` ends now, while the start below waits for its answer
  int32_t pid = 0;
  const int rc = StartEntry("EchoParams", "again", nullptr, &pid);
  if (rc != NCP_NO_ERROR) std::fprintf(stderr, "restart: %d %s\n", rc, NCP_GetLastErrorMessage());
  std::lock_guard lock(r.mu);
  r.restart_rc = rc;
  r.restarted = pid;
}

// In a process of its own: a hang there is a failed test, not a hung test binary.
int RestartFromTheCallback() {
  alarm(20);
  NCP_SetWarmPool(0, 0);  // every start goes through the fork server
  Restarter r;
  g_restarter = &r;
  NCP_RegisterChildExitCallback(&RestartFirst, nullptr);
  // Both wait for a byte: each ends only once the test knows its pid.
  Pipe other_in = MakePipe(), first_in = MakePipe();
  FdList other_fds, first_fds;
  other_fds.Add("in", other_in.read.get());
  first_fds.Add("in", first_in.read.get());
  int32_t other = 0, first = 0;
  if (StartEntry("WaitForByte", nullptr, &other_fds, &other) != NCP_NO_ERROR) return 2;
  if (StartEntry("WaitForByte", nullptr, &first_fds, &first) != NCP_NO_ERROR) return 3;
  {
    std::lock_guard lock(r.mu);
    r.other = other;
    r.other_in = other_in.write.release();
    r.first = first;
  }
  first_in.write.reset();  // the first ends; its callback restarts it
  for (int i = 0; i < 1000; ++i) {
    {
      std::lock_guard lock(r.mu);
      if (r.ended.size() == 3) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::lock_guard lock(r.mu);
  if (r.restart_rc != NCP_NO_ERROR || r.restarted <= 0) {
    std::fprintf(stderr, "restart rc %d pid %d, %zu ends\n", r.restart_rc, r.restarted,
                 r.ended.size());
    return 4;
  }
  const std::vector<int32_t> want_any_order{r.first, r.other, r.restarted};
  if (r.ended.size() != 3 || r.ended[0] != r.first ||
      !std::is_permutation(r.ended.begin(), r.ended.end(), want_any_order.begin())) {
    return 5;
  }
  return 0;
}

TEST(ExitCallbacks, ACallbackCanRestartTheChildThatEnded) {
  const pid_t helper = fork();
  if (helper == 0) _exit(RestartFromTheCallback());
  ASSERT_GT(helper, 0);
  int status = 0;
  ASSERT_EQ(waitpid(helper, &status, 0), helper);
  EXPECT_TRUE(WIFEXITED(status)) << "the start from the callback hung (" << WTERMSIG(status) << ")";
  if (WIFEXITED(status)) {
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
}

}  // namespace
}  // namespace ncp::testing
