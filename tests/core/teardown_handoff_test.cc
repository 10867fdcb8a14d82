// A normal child whose entry returns leaves the teardown of its memory to a holder that the
// fork server reaps unreported (lib/core/child/teardown_handoff.h). What it must not change:
// the user's quick_exit handlers, the status, a filter's child, the forks of a child; and it
// must leave nothing behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "core/child_test_support.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...), or 0 when there is no such process.
char ProcessState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? 0 : stat[paren + 2];
}

pid_t ForkServerPid() {
  for (pid_t pid : ChildrenOfThisProcess()) {
    if (ProcessName(pid) == "ncp-forkserver") return pid;
  }
  return -1;
}

// Stops the fork server for as long as it lives (its children's ends then wait, unreaped).
class StoppedServer {
 public:
  explicit StoppedServer(pid_t pid) : pid_(pid) { kill(pid_, SIGSTOP); }
  ~StoppedServer() { Resume(); }
  void Resume() {
    if (pid_ > 0) kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

std::string RunWithOut(const std::string& entry, const char* params, NCP_ChildExitInfo* info) {
  ExitWatcher watcher;
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  int32_t pid = 0;
  EXPECT_EQ(StartEntry(entry, params, &fds, &pid), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  out.write.reset();
  const std::string text = pid > 0 ? ReadAll(out.read.get()) : "";
  *info = pid > 0 ? watcher.Wait(pid) : NCP_ChildExitInfo{};
  return text;
}

// The holder exists, is the server's child, ends once the child has, and is never reported:
// with the server stopped, both ends wait as zombies below it, and the holder is the one new
// child of the server.
TEST(TeardownHandOff, TheHolderIsTheServersChildAndIsNeverReported) {
  ExitWatcher watcher;
  Pipe in = MakePipe();
  FdList fds;
  fds.Add("in", in.read.get());
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("WaitForByte", nullptr, &fds, &pid), NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  in.read.reset();
  const pid_t server = ForkServerPid();
  ASSERT_GT(server, 0);
  // Its prepared children, and a holder of an earlier child that has not ended yet.
  const std::vector<pid_t> before = ChildrenOf(server);
  StoppedServer stopped(server);
  ASSERT_EQ(write(in.write.get(), "g", 1), 1);
  pid_t holder = -1;
  for (auto deadline = steady_clock::now() + std::chrono::seconds(10);
       steady_clock::now() < deadline; std::this_thread::sleep_for(milliseconds(5))) {
    for (pid_t p : ChildrenOf(server)) {
      if (p != pid && std::find(before.begin(), before.end(), p) == before.end()) holder = p;
    }
    if (holder > 0 && ProcessState(holder) == 'Z' && ProcessState(pid) == 'Z') break;
  }
  ASSERT_GT(holder, 0) << "no new child of the server besides " << pid;
  EXPECT_EQ(ProcessState(pid), 'Z') << "the child ended, unreaped";
  EXPECT_EQ(ProcessState(holder), 'Z') << "its holder ended after it, unreaped";
  stopped.Resume();
  const NCP_ChildExitInfo info = watcher.Wait(pid);
  EXPECT_EQ(info.exitCode, 0);
  EXPECT_EQ(info.signal, 0);
  for (auto deadline = steady_clock::now() + std::chrono::seconds(10);
       ProcessExists(holder) && steady_clock::now() < deadline;
       std::this_thread::sleep_for(milliseconds(5))) {
  }
  EXPECT_FALSE(ProcessExists(holder)) << "the server reaps the holder";
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(watcher.Seen(holder)) << "nobody hears of the holder";
}

TEST(TeardownHandOff, TheUsersQuickExitHandlerRunsFirstWithItsFdsOpen) {
  NCP_ChildExitInfo info{};
  EXPECT_EQ(RunWithOut("QuickExitHandlerEntry", nullptr, &info), "entry\nhandler\n");
  EXPECT_EQ(info.exitCode, 0);
  EXPECT_EQ(info.signal, 0);
}

TEST(TeardownHandOff, AQuickExitStatusIsKept) {
  ExitWatcher watcher;
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("QuickExitWith", "7", nullptr, &pid), NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  const NCP_ChildExitInfo info = watcher.Wait(pid);
  EXPECT_EQ(info.exitCode, 7);
  EXPECT_EQ(info.signal, 0);
}

// The hand-over's clone would kill this child (SIGSYS): under a filter there is none.
TEST(TeardownHandOff, AChildUnderAFilterThatKillsCloneStillEndsWithZero) {
  NCP_ChildExitInfo info{};
  EXPECT_EQ(RunWithOut("KillOnCloneFilterEntry", nullptr, &info), "filtered\n");
  EXPECT_EQ(info.exitCode, 0);
  EXPECT_EQ(info.signal, 0);
}

// A fork of the child inherits the registration; its holder would be the child's own child.
TEST(TeardownHandOff, AForkOfTheChildStartsNoHolder) {
  NCP_ChildExitInfo info{};
  EXPECT_EQ(RunWithOut("ForkThatQuickExitsEntry", nullptr, &info), "no other child\n");
  EXPECT_EQ(info.exitCode, 0);
}

}  // namespace
}  // namespace ncp::testing
