// Helpers for tests that start real children: pipes, starting an entry of the test library,
// and an exit watcher built on the NCP_ exit-record callback.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "base/unique_fd.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::testing {

inline constexpr char kTestLib[] = "libncp_test_entries.so";

struct Pipe {
  base::UniqueFd read;
  base::UniqueFd write;
};
Pipe MakePipe();

// Reads until EOF (every writer closed) or the timeout; the test fails on timeout.
std::string ReadAll(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A list of named fds for NativeChildProcess_Args; owns the name strings.
class FdList {
 public:
  FdList& Add(std::string name, int fd);
  NativeChildProcess_FdList list();

 private:
  std::vector<std::string> names_;
  std::vector<int> fds_;
  std::vector<NativeChildProcess_Fd> nodes_;
};

// Starts "libncp_test_entries.so:<entry>" in normal mode. Returns the error code.
int StartEntry(const std::string& entry, const char* params, FdList* fds, int32_t* pid);

// Starts `entry` with an "out" pipe and returns what the child wrote, once it has exited.
std::string RunAndCapture(const std::string& entry, const char* params = nullptr);

// Records every child exit reported through NCP_RegisterChildExitCallback.
class ExitWatcher {
 public:
  ExitWatcher();
  ~ExitWatcher();
  // Waits for the exit of `pid`; fails the test and returns a record with pid 0 on timeout.
  NCP_ChildExitInfo Wait(pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool Seen(pid_t pid);
  // Every pid whose end was reported so far.
  std::set<pid_t> SeenPids();

 private:
  static void OnExit(const NCP_ChildExitInfo* info, void* self);
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<pid_t, NCP_ChildExitInfo> exits_;
};

// Number of entries in /proc/self/fd, /proc/self/task; and whether `pid` still exists.
int CountOpenFds();
int CountThreads();
bool ProcessExists(pid_t pid);
// Children (live or zombie) of any thread of this process.
std::vector<pid_t> ChildrenOfThisProcess();
std::vector<pid_t> ChildrenOf(pid_t pid);
// Runs `args` (ncp_test_isolated_parent: one start, "child PID", "exit CODE SIGNAL"), waits
// until at least `at_least_prepared` processes besides the fork server sit below it, kills it
// with SIGKILL and checks (as a child subreaper) that every process below it ends.
void ExpectNothingLeftAfterKillingTheApplication(const std::vector<std::string>& args,
                                                 size_t at_least_prepared);
// Clock ticks since boot: when `pid` started (/proc/PID/stat), and now (/proc/uptime). A
// process whose start is older than a call was prepared before it (ticks are 10 ms).
long long StartTicks(pid_t pid);
long long NowTicks();
// /proc/PID/comm without the newline.
std::string ProcessName(pid_t pid);

}  // namespace ncp::testing
