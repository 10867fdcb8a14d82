// Warm starts (issue 11): prepared children serve exactly one start each and give what a cold
// start of the same call would; the settings are checked; the application's death takes every
// prepared process with it; a start that waits for its entry fails with the loader's message.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "core/child_test_support.h"
#include "ncp/native_child_process_ext.h"
#include "testing/probe_output.h"
#include "testing/processes.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

// Runs `entry` with an "out" pipe and returns (pid, what it wrote), the child waited for.
std::pair<int32_t, std::string> RunWithPid(ExitWatcher& watcher, const std::string& entry,
                                           const char* params) {
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  int32_t pid = 0;
  EXPECT_EQ(StartEntry(entry, params, &fds, &pid), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  out.write.reset();
  std::string text = ReadAll(out.read.get());
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
  return {pid, text};
}

// The clock tick the child began at, from its "starttime" probe (-2 when it did not say).
long long StartedAt(const std::string& probe_text) {
  const std::string value = ParseProbe(probe_text)["starttime"];
  return value.empty() ? -2 : std::stoll(value);
}

class WarmPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR); }
  void TearDown() override { NCP_SetWarmPool(2, 30000); }
};

TEST(WarmPoolSettings, OutsideTheirRangesAreRefused) {
  EXPECT_EQ(NCP_SetWarmPool(-2, 0), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_SetWarmPool(9, 0), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_SetWarmPool(2, -1), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  EXPECT_EQ(NCP_SetWarmPool(8, 1), NCP_NO_ERROR);
  EXPECT_EQ(NCP_SetWarmPool(NCP_WARM_POOL_DEFAULT_SIZE, 30000), NCP_NO_ERROR);
  EXPECT_EQ(NCP_SetWarmPool(2, 30000), NCP_NO_ERROR);
}

// The child was forked before the call (it is a prepared one), and still it sees the
// environment, directory, umask and fds of the call, not those of its birth.
TEST_F(WarmPoolTest, AWarmChildSeesTheCallNotItsBirth) {
  ExitWatcher watcher;
  RunWithPid(watcher, "Probe", "pid");  // the first start is cold and fills the pool
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // ticks are 10 ms
  TempDir dir;
  char old_cwd[4096];
  ASSERT_NE(getcwd(old_cwd, sizeof old_cwd), nullptr);
  ASSERT_EQ(chdir(dir.path().c_str()), 0);
  const mode_t old_mask = umask(0027);
  setenv("NCP_WARM_CALL_MARK", "at-the-call", 1);
  const long long call_ticks = NowTicks();
  auto [pid, text] = RunWithPid(watcher, "Probe", "context;fds;starttime");
  unsetenv("NCP_WARM_CALL_MARK");
  umask(old_mask);
  ASSERT_EQ(chdir(old_cwd), 0);
  EXPECT_NE(text.find("cwd=" + dir.path() + " umask=027 "), std::string::npos) << text;
  EXPECT_NE(text.find("NCP_WARM_CALL_MARK=at-the-call"), std::string::npos) << text;
  // 0-2 and the one named fd, at 4; nothing of the pool (its socket) or of the server.
  EXPECT_EQ(ParseProbe(text)["fds"], "0 1 2 4") << text;
  EXPECT_LT(StartedAt(text), call_ticks) << "the child was not a prepared one";
}

// Each start gets a process of its own: no prepared child serves two starts.
TEST_F(WarmPoolTest, EveryStartGetsAChildOfItsOwn) {
  ExitWatcher watcher;
  std::set<int32_t> pids;
  for (int i = 0; i < 24; ++i) {
    const std::string params = "start-" + std::to_string(i);
    auto [pid, text] = RunWithPid(watcher, "EchoParams", params.c_str());
    EXPECT_EQ(text, params);
    EXPECT_TRUE(pids.insert(pid).second) << "pid " << pid << " served two starts";
  }
}

// Named fds pass on to what the child execs, as a dup2 leaves them: a warm child receives
// them in place, a cold one has them moved there; neither may leave them close-on-exec.
void ExpectNamedFdsAreNotCloseOnExec() {
  ExitWatcher watcher;
  Pipe spare = MakePipe();
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get()).Add("spare", spare.read.get());
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("Probe", "fds;cloexec-fds", &fds, &pid), NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  out.write.reset();
  const std::string text = ReadAll(out.read.get());
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
  EXPECT_EQ(ParseProbe(text)["fds"], "0 1 2 4 5") << text;
  EXPECT_EQ(ParseProbe(text)["cloexec-fds"], "") << text;
}

TEST_F(WarmPoolTest, NamedFdsAreNotCloseOnExecInAWarmChild) {
  ExitWatcher watcher;
  RunWithPid(watcher, "EchoParams", "fill the pool");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ExpectNamedFdsAreNotCloseOnExec();
}

TEST_F(WarmPoolTest, NamedFdsAreNotCloseOnExecInAColdChild) {
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  ExpectNamedFdsAreNotCloseOnExec();
}

// A normal start's request rides in the start message up to 16 KiB and comes as a memfd past
// that; the sizes here cross that line whatever the size of this process's environment (under
// 13 KiB), in a warm child and in a cold one, and every byte arrives either way.
void ExpectParamsAcrossTheInlineLimitArriveIntact() {
  ExitWatcher watcher;
  for (size_t size = 3 * 1024; size <= 18 * 1024; size += 512) {
    std::string params(size, '\0');
    for (size_t i = 0; i < size; ++i) params[i] = static_cast<char>('a' + (i * 5 + i / 11) % 26);
    auto [pid, text] = RunWithPid(watcher, "EchoParams", params.c_str());
    EXPECT_EQ(text, params) << size << " bytes of params";
  }
}

TEST_F(WarmPoolTest, ParamsAcrossTheInlineRequestLimitArriveIntactInAWarmChild) {
  ExpectParamsAcrossTheInlineLimitArriveIntact();
}

TEST_F(WarmPoolTest, ParamsAcrossTheInlineRequestLimitArriveIntactInAColdChild) {
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  ExpectParamsAcrossTheInlineLimitArriveIntact();
}

TEST_F(WarmPoolTest, NoPoolStillStartsEveryChild) {
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  ExitWatcher watcher;
  for (int i = 0; i < 4; ++i) {
    auto [pid, text] = RunWithPid(watcher, "EchoParams", "cold");
    EXPECT_EQ(text, "cold");
  }
}

// Prepared children are let go every millisecond while starts keep coming, so that starts and
// lettings-go cross (warm_child_handoff.h): every start still runs its entry, once.
TEST_F(WarmPoolTest, NoStartIsLostWhilePreparedChildrenAreLetGo) {
  ASSERT_EQ(NCP_SetWarmPool(2, 1), NCP_NO_ERROR);
  ExitWatcher watcher;
  for (int i = 0; i < 120; ++i) {
    const std::string params = "crossing-" + std::to_string(i);
    auto [pid, text] = RunWithPid(watcher, "EchoParams", params.c_str());
    EXPECT_EQ(text, params);
    std::this_thread::sleep_for(std::chrono::microseconds(250 * (i % 8)));
  }
}

// The application tells the server of each warm start, and the pool is refilled: starts
// spaced well apart are all served by prepared children.
TEST_F(WarmPoolTest, ThePoolIsRefilledAfterEveryWarmStart) {
  ExitWatcher watcher;
  RunWithPid(watcher, "EchoParams", "prime");  // the first start is cold and fills the pool
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const long long call_ticks = NowTicks();
    const std::string text = RunWithPid(watcher, "Probe", "starttime").second;
    EXPECT_GT(StartedAt(text), 0) << text;
    EXPECT_LT(StartedAt(text), call_ticks) << "start " << i << " was not served prepared";
  }
}

// The "Size:" and "Rss:" (KiB) of the mapping of `pid` with `perms` whose path holds `file`;
// {-1, -1} when there is none.
std::pair<long, long> MappingSizeAndRss(pid_t pid, const std::string& file,
                                        const std::string& perms) {
  std::istringstream smaps(ReadFileText("/proc/" + std::to_string(pid) + "/smaps"));
  std::string line;
  bool in_mapping = false;
  long size = -1;
  while (std::getline(smaps, line)) {
    const bool header = !line.empty() && line.find(':') > line.find(' ');
    if (header) {
      if (in_mapping) break;  // the next mapping: ours had no Rss line
      std::istringstream fields(line);
      std::string range, mode, path;
      fields >> range >> mode;
      for (std::string word; fields >> word;) path = word;
      in_mapping = mode == perms && path.find(file) != std::string::npos;
    } else if (in_mapping && line.rfind("Size:", 0) == 0) {
      size = std::stol(line.substr(5));
    } else if (in_mapping && line.rfind("Rss:", 0) == 0) {
      return {size, std::stol(line.substr(4))};
    }
  }
  return {-1, -1};
}

// A prepared child maps the code it will run before its request comes (page_prefault.h): the
// loader's and libc's text are wholly in its page tables, which an unprefaulted process, having
// run only a little of each, never has.
TEST_F(WarmPoolTest, APreparedChildHasItsCodeMappedBeforeItsRequest) {
  static char probe_page[4096] __attribute__((aligned(4096)));
  if (madvise(probe_page, sizeof probe_page, 22 /* MADV_POPULATE_READ */) != 0 && errno == EINVAL) {
    GTEST_SKIP() << "no MADV_POPULATE_READ (Linux 5.14): prepared children fault as before";
  }
  ExitWatcher watcher;
  RunWithPid(watcher, "EchoParams", "prime");  // cold; fills the pool
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<pid_t> prepared;
  for (pid_t pid : Descendants(getpid())) {
    if (ProcessName(pid) == "ncp-warm-child") prepared.push_back(pid);
  }
  ASSERT_FALSE(prepared.empty()) << "no prepared child to look at";
  for (pid_t pid : prepared) {
    for (const char* file : {"/libc.so.6", "/ld-linux-x86-64.so.2", "/libchild_process.so"}) {
      SCOPED_TRACE(std::string(file) + " in " + std::to_string(pid));
      const auto [size, rss] = MappingSizeAndRss(pid, file, "r-xp");
      ASSERT_GT(size, 0) << "no r-xp mapping";
      EXPECT_EQ(rss, size);
    }
  }
}

// What `fd` gives until `token` has come (or EOF, or 20 s).
std::string ReadUntil(int fd, const std::string& token) {
  std::string text;
  char buf[256];
  pollfd readable{fd, POLLIN, 0};
  while (text.find(token) == std::string::npos && poll(&readable, 1, 20000) == 1) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

// Children that do not end: the server cannot learn of their starts from their ends. Once
// the application has taken its last prepared child it tells the server, and the pool is
// refilled: the next start, after a pause, is served prepared too.
TEST_F(WarmPoolTest, ThePoolIsRefilledWhileItsChildrenRunOn) {
  ExitWatcher watcher;
  RunWithPid(watcher, "EchoParams", "prime");  // cold; fills the pool (2)
  std::vector<int32_t> running;
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Pipe out = MakePipe();
    FdList fds;
    fds.Add("out", out.write.get());
    const long long call_ticks = NowTicks();
    int32_t pid = 0;
    ASSERT_EQ(StartEntry("Probe", "starttime;sleep", &fds, &pid), NCP_NO_ERROR);
    running.push_back(pid);
    out.write.reset();
    const std::string text = ReadUntil(out.read.get(), "sleep=ready");
    EXPECT_GT(StartedAt(text), 0) << text;
    EXPECT_LT(StartedAt(text), call_ticks) << "start " << i << " was not served prepared";
  }
  for (int32_t pid : running) {
    EXPECT_EQ(OH_Ability_KillChildProcess(pid), NCP_NO_ERROR);
    EXPECT_EQ(watcher.Wait(pid).signal, SIGKILL);
  }
}

// New settings stop the children prepared under the old ones at once: with the pool turned
// off, the next start is a fresh child even though prepared ones were waiting.
TEST_F(WarmPoolTest, TurningThePoolOffStopsThePreparedChildrenAtOnce) {
  ExitWatcher watcher;
  RunWithPid(watcher, "EchoParams", "prime");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  const long long call_ticks = NowTicks();
  const std::string text = RunWithPid(watcher, "Probe", "starttime").second;
  EXPECT_GE(StartedAt(text), call_ticks) << "a prepared child served a start with no pool";
}

// A prepared child that is let go unused ends, and the application hears of no end but those
// of the children it started.
TEST_F(WarmPoolTest, PreparedChildrenLetGoAreNeverReported) {
  ASSERT_EQ(NCP_SetWarmPool(2, 20), NCP_NO_ERROR);
  ExitWatcher watcher;
  std::set<pid_t> started;
  for (int i = 0; i < 3; ++i) {
    started.insert(RunWithPid(watcher, "EchoParams", "once").first);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // refilled, then let go
  }
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(watcher.SeenPids(), started);
}

// The library's fds that speak for this process: its fork server's socket, the warm
// children's channels, their pidfds and the live children's, the monitor's epoll and timer.
int LibraryLikeFds() {
  int n = 0;
  for (int fd = 3; fd < 1024; ++fd) {
    char link[64] = {};
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (readlink(path.c_str(), link, sizeof link - 1) < 0) continue;
    const std::string target = link;
    if (target.rfind("socket:", 0) == 0 || target == "anon_inode:[pidfd]" ||
        target == "anon_inode:[eventpoll]" || target == "anon_inode:[timerfd]") {
      ++n;
    }
  }
  return n;
}

// A process made by fork() (a worker that then drops privileges, say) inherits none of them:
// with the server's socket or a warm child's channel it could have children made with the
// parent's credentials, and with a pidfd signal the parent's children.
TEST_F(WarmPoolTest, AForkedProcessInheritsNoneOfTheLibrarysFds) {
  ExitWatcher watcher;
  RunWithPid(watcher, "EchoParams", "prime");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // warm children announced
  Pipe in = MakePipe();
  FdList fds;
  fds.Add("in", in.read.get());
  int32_t live = 0;
  ASSERT_EQ(StartEntry("WaitForByte", nullptr, &fds, &live), NCP_NO_ERROR);
  ASSERT_GE(LibraryLikeFds(), 6) << "what the check below looks for is not there to find";
  Pipe report = MakePipe();
  const pid_t forked = fork();
  if (forked == 0) {
    const std::string count = std::to_string(LibraryLikeFds());
    (void)!write(report.write.get(), count.data(), count.size());
    _exit(0);
  }
  ASSERT_GT(forked, 0);
  report.write.reset();
  EXPECT_EQ(ReadAll(report.read.get()), "0");
  int status = 0;
  EXPECT_EQ(waitpid(forked, &status, 0), forked);
  in.write.reset();  // the live child returns
  EXPECT_EQ(watcher.Wait(live).exitCode, 0);
  // This process's own library goes on as before.
  EXPECT_EQ(RunWithPid(watcher, "EchoParams", "after").second, "after");
}

TEST(WarmPoolLifetime, KillingTheApplicationLeavesNoPreparedChildBehind) {
  ExpectNothingLeftAfterKillingTheApplication(
      {NCP_TEST_ISOLATED_PARENT, "--normal", "libncp_test_entries.so:EchoParams"}, 2);
}

}  // namespace
}  // namespace ncp::testing

namespace ncp::testing {
namespace {

// What ReportSignals says in a child started from a fresh process (fork of this test, so its
// fork server is spawned after the changes below) with the given pool size; three starts,
// spaced so that the later ones are served prepared when the pool is on.
std::string SignalsSeenByChildren(int pool_size) {
  Pipe report = MakePipe();
  const pid_t pid = fork();
  if (pid == 0) {
    report.read.reset();
    // Ignored and blocked before the fork server exists: it inherits both through its exec.
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, nullptr);
    if (NCP_SetWarmPool(pool_size, 0) != NCP_NO_ERROR) _exit(2);
    std::string all;
    for (int i = 0; i < 3; ++i) {
      Pipe out = MakePipe();
      FdList fds;
      fds.Add("out", out.write.get());
      int32_t child = 0;
      if (StartEntry("ReportSignals", nullptr, &fds, &child) != NCP_NO_ERROR) _exit(3);
      out.write.reset();
      all += ReadAll(out.read.get());
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    (void)!write(report.write.get(), all.data(), all.size());
    _exit(0);
  }
  report.write.reset();
  std::string text = ReadAll(report.read.get());
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  return text;
}

// Children start with every signal at its default and none blocked, cold or prepared, even
// when the application ignored and blocked some before its fork server started. The server
// resets them once; the runtime relies on that instead of asking for every signal again.
TEST(ChildSignals, AllDefaultAndUnblockedColdAndPrepared) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer cannot start threads after a multi-threaded fork, and the "
                  "fresh application this test needs is a fork of the test";
#endif
  const std::string clean = "ignored=0 handled=0 blocked=0\n";
  EXPECT_EQ(SignalsSeenByChildren(0), clean + clean + clean);
  EXPECT_EQ(SignalsSeenByChildren(2), clean + clean + clean);
}

}  // namespace
}  // namespace ncp::testing
