// Isolated starts, issue 11: a sandbox that cannot be built fails the start itself (16010003,
// the reason in NCP_GetLastErrorMessage, no child, no exit callback); warm sandboxes serve one
// start each, with that start's params and fds, and never one whose library changed; a start
// that waits for its entry gets 16010007 with the loader's message.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "isolated/isolated_support.h"
#include "testing/processes.h"

namespace ncp::testing {
namespace {

namespace fs = std::filesystem;

std::atomic<int> g_exits{0};
void CountExit(const NCP_ChildExitInfo*, void*) { ++g_exits; }

struct Started {
  int code = -1;
  int32_t pid = 0;
  std::string message;
};

Started StartIsolated(const std::string& entry, const std::string& params,
                      const std::string& profile, FdList* fds, bool wait_for_entry = false) {
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  NCP_ChildProcessConfigs_SetProfile(configs, profile.c_str());
  NCP_ChildProcessConfigs_SetWaitForEntry(configs, wait_for_entry);
  NativeChildProcess_Args args{const_cast<char*>(params.c_str()), fds->list()};
  Started s;
  s.code = OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), args, configs, &s.pid);
  s.message = NCP_GetLastErrorMessage();
  OH_Ability_DestroyChildProcessConfigs(configs);
  return s;
}

std::string TestEntry(const std::string& symbol) { return std::string(kTestLib) + ":" + symbol; }

// Nothing of a refused start may ever report an end: a good start made afterwards is the only
// exit the callback sees.
void ExpectNoExitBesidesAGoodOne() {
  IsolatedRun good = RunIsolated("EchoParams", "after", ShippedProfile("default"));
  EXPECT_EQ(good.out, "after");
  EXPECT_EQ(g_exits.load(), 1) << "a refused start reported an end";
}

class SandboxFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    NCP_REQUIRE_USERNS();
    g_exits = 0;
    ASSERT_EQ(NCP_RegisterChildExitCallback(CountExit, nullptr), NCP_NO_ERROR);
  }
  void TearDown() override { NCP_UnregisterChildExitCallback(CountExit, nullptr); }
};

TEST_F(SandboxFailure, ABrokenProfileFailsTheStartWithItsFileAndLine) {
  TempDir dir;
  const std::string profile = dir.path() + "/broken.profile";
  std::ofstream(profile) << "unshare-all\nno-such-key = 1\n";
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  Started s = StartIsolated(TestEntry("EchoParams"), "never", profile, &fds);
  EXPECT_EQ(s.code, NCP_ERR_SERVICE_ERROR);
  EXPECT_NE(s.message.find(profile + ":2"), std::string::npos) << s.message;
  EXPECT_EQ(s.pid, 0);
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), "") << "the entry ran";
  ExpectNoExitBesidesAGoodOne();
}

TEST_F(SandboxFailure, AFailedSetupStepFailsTheStartAndNamesTheStep) {
  TempDir dir;
  const std::string profile = dir.path() + "/missing-bind.profile";
  std::ofstream(profile) << "include = default\nbind = " << dir.path() << "/missing:/data\n";
  FdList fds;
  Started s = StartIsolated(TestEntry("EchoParams"), "never", profile, &fds);
  EXPECT_EQ(s.code, NCP_ERR_SERVICE_ERROR);
  EXPECT_NE(s.message.find("missing"), std::string::npos) << s.message;
  ExpectNoExitBesidesAGoodOne();
}

TEST_F(SandboxFailure, WaitingForTheEntryAMissingLibraryIs16010007WithTheLoadersMessage) {
  FdList fds;
  Started s = StartIsolated("libncp-no-such-library.so:Main", "", ShippedProfile("default"), &fds,
                            /*wait_for_entry=*/true);
  EXPECT_EQ(s.code, NCP_ERR_LIB_LOADING_FAILED);
  EXPECT_NE(s.message.find("libncp-no-such-library.so"), std::string::npos) << s.message;
  ExpectNoExitBesidesAGoodOne();
}

TEST_F(SandboxFailure, WaitingForTheEntryAMissingSymbolIs16010007) {
  FdList fds;
  Started s = StartIsolated(TestEntry("NoSuchEntry"), "", ShippedProfile("default"), &fds, true);
  EXPECT_EQ(s.code, NCP_ERR_LIB_LOADING_FAILED);
  EXPECT_NE(s.message.find("NoSuchEntry"), std::string::npos) << s.message;
  ExpectNoExitBesidesAGoodOne();
}

TEST(SandboxWaitForEntry, AGoodEntryStartsAndRuns) {
  NCP_REQUIRE_USERNS();
  ExitWatcher watcher;
  for (int i = 0; i < 3; ++i) {  // cold, then warm
    Pipe out = MakePipe();
    FdList fds;
    fds.Add("out", out.write.get());
    Started s = StartIsolated(TestEntry("EchoParams"), "found", ShippedProfile("default"), &fds,
                              true);
    ASSERT_EQ(s.code, NCP_NO_ERROR) << s.message;
    out.write.reset();
    EXPECT_EQ(ReadAll(out.read.get()), "found");
    EXPECT_EQ(watcher.Wait(s.pid).exitCode, 0);
  }
}

// A child that returns at once may end, launcher and all, before the fork server has read what
// its sandbox reported (kReady, then kEntryFound). The server then reads every record left,
// answers the start, and only then reports the end: each start gets exactly its one exit record
// (before the fix about 2 starts in 100 got none, and their callers waited for ever).
TEST(SandboxWaitForEntry, AChildThatEndsBeforeItsReportsAreReadIsStillReported) {
  NCP_REQUIRE_USERNS();
  ExitWatcher watcher;
  for (int i = 0; i < 100; ++i) {
    FdList fds;
    Started s = StartIsolated(TestEntry("EchoParams"), "", ShippedProfile("default"), &fds, true);
    ASSERT_EQ(s.code, NCP_NO_ERROR) << s.message;
    const NCP_ChildExitInfo info = watcher.Wait(s.pid, std::chrono::seconds(10));
    ASSERT_EQ(info.pid, s.pid) << "start " << i << ": no exit record";
    EXPECT_EQ(info.exitCode, 0);
  }
}

// Warm sandboxes: each start after the first is served by one built in advance (its launcher
// started before the call), with this start's params and fds, and no two starts share one.
TEST(WarmSandbox, EachStartGetsASandboxOfItsOwnWithItsParamsAndFds) {
  NCP_REQUIRE_USERNS();
  ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);
  ExitWatcher watcher;
  std::set<int32_t> pids;
  int prepared = 0;  // served by a sandbox built before the call
  for (int i = 0; i < 8; ++i) {
    Pipe out = MakePipe(), extra = MakePipe();
    FdList fds;
    fds.Add("alpha", extra.read.get());
    fds.Add("out", out.write.get());
    const long long call_ticks = NowTicks();
    Started s = StartIsolated(TestEntry("Probe"), "fds;pid", ShippedProfile("default"), &fds);
    const long long launcher_ticks = StartTicks(s.pid);
    ASSERT_EQ(s.code, NCP_NO_ERROR) << s.message;
    out.write.reset();
    auto probe = ParseProbe(ReadAll(out.read.get()));
    EXPECT_EQ(probe["fds"], "0 1 2 4 5");
    EXPECT_EQ(probe["pid"], "2");
    EXPECT_EQ(watcher.Wait(s.pid).exitCode, 0);
    EXPECT_TRUE(pids.insert(s.pid).second) << "pid " << s.pid << " served two starts";
    if (launcher_ticks >= 0 && launcher_ticks < call_ticks) ++prepared;
    // Let the pool refill between starts, as an application starting workers now and then.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // The first start is cold; on a loaded machine a refill may come late now and then.
  EXPECT_GE(prepared, 5) << "warm sandboxes did not serve the starts";
  NCP_SetWarmPool(2, 30000);
}

// Back to back, starts drain the pool: some are served from it, some wait for the builds it
// asks for at once. Each still gets a sandbox of its own, with its own params and fds.
TEST(WarmSandbox, BackToBackStartsEachGetASandboxOfTheirOwn) {
  NCP_REQUIRE_USERNS();
  ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);
  ExitWatcher watcher;
  std::set<int32_t> pids;
  for (int i = 0; i < 12; ++i) {
    Pipe out = MakePipe();
    FdList fds;
    fds.Add("out", out.write.get());
    const std::string params = "start " + std::to_string(i);
    Started s = StartIsolated(TestEntry("EchoParams"), params, ShippedProfile("default"), &fds);
    ASSERT_EQ(s.code, NCP_NO_ERROR) << s.message;
    out.write.reset();
    EXPECT_EQ(ReadAll(out.read.get()), params);
    EXPECT_EQ(watcher.Wait(s.pid).exitCode, 0);
    EXPECT_TRUE(pids.insert(s.pid).second) << "pid " << s.pid << " served two starts";
  }
  NCP_SetWarmPool(2, 30000);
}

// Starts arriving together find the pool empty: each waits for a build (one on its way, or one
// asked for it) instead of a cold start. Every one is answered, with a sandbox of its own, and
// once the builds settle the pool holds no more than its size (the builds asked for waiting
// starts are theirs, not the pool's).
TEST(WarmSandbox, StartsThatArriveTogetherEachWaitForASandboxOfTheirOwn) {
  NCP_REQUIRE_USERNS();
  // Off first: the sandboxes counted below are then this shape's alone, also when earlier tests
  // in this process left pools of their own shapes.
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  ASSERT_EQ(NCP_SetWarmPool(1, 0), NCP_NO_ERROR);
  ExitWatcher watcher;
  {  // the shape's first start is cold and starts its builder
    Pipe out = MakePipe();
    FdList fds;
    fds.Add("out", out.write.get());
    Started s = StartIsolated(TestEntry("EchoParams"), "first", ShippedProfile("default"), &fds);
    ASSERT_EQ(s.code, NCP_NO_ERROR) << s.message;
    out.write.reset();
    EXPECT_EQ(ReadAll(out.read.get()), "first");
    EXPECT_EQ(watcher.Wait(s.pid).exitCode, 0);
  }
  constexpr int kStarts = 16;
  std::vector<Started> started(kStarts);
  std::vector<std::string> echoed(kStarts);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStarts; ++i) {
    threads.emplace_back([&, i] {
      Pipe out = MakePipe();
      FdList fds;
      fds.Add("out", out.write.get());
      started[i] = StartIsolated(TestEntry("EchoParams"), "start " + std::to_string(i),
                                 ShippedProfile("default"), &fds);
      out.write.reset();
      if (started[i].code == NCP_NO_ERROR) echoed[i] = ReadAll(out.read.get());
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int32_t> pids;
  for (int i = 0; i < kStarts; ++i) {
    ASSERT_EQ(started[i].code, NCP_NO_ERROR) << started[i].message;
    EXPECT_EQ(echoed[i], "start " + std::to_string(i));
    EXPECT_EQ(watcher.Wait(started[i].pid).exitCode, 0);
    EXPECT_TRUE(pids.insert(started[i].pid).second) << "pid " << started[i].pid << " served two";
  }
  // Each prepared sandbox has one entry process waiting (a served one renamed itself and ended).
  std::this_thread::sleep_for(std::chrono::seconds(2));
  size_t waiting = 0;
  for (pid_t pid : Descendants(getpid())) waiting += ProcessName(pid) == "ncp-entry" ? 1 : 0;
  EXPECT_LE(waiting, 1u) << "more sandboxes prepared than the pool's size";
  NCP_SetWarmPool(2, 30000);
}

// A warm sandbox binds the library's folder as it was; once that folder is replaced, a start
// must load the new library (here one without the entry: 16010007), not the pinned old one.
TEST(WarmSandbox, AReplacedLibraryIsNeverServedFromThePool) {
  NCP_REQUIRE_USERNS();
  ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);
  TempDir dir;
  const std::string folder = dir.path() + "/lib";
  fs::create_directories(folder);
  const std::string original = fs::path(NCP_TEST_LIB_DIR) / kTestLib;
  fs::copy_file(original, folder + "/libwarm.so");
  chmod(dir.path().c_str(), 0755);
  chmod(folder.c_str(), 0755);
  const std::string entry = folder + "/libwarm.so:EchoParams";
  for (int i = 0; i < 2; ++i) {  // the first builds cold and fills the pool
    Pipe out = MakePipe();
    FdList fds;
    fds.Add("out", out.write.get());
    Started s = StartIsolated(entry, "old", ShippedProfile("default"), &fds, true);
    ASSERT_EQ(s.code, NCP_NO_ERROR) << s.message;
    out.write.reset();
    EXPECT_EQ(ReadAll(out.read.get()), "old");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the pool is ready again
  fs::rename(folder, dir.path() + "/lib.old");
  fs::create_directories(folder);
  chmod(folder.c_str(), 0755);
  // Any other library: it has no EchoParams.
  fs::copy_file(fs::path(NCP_TEST_LIB_DIR) / "libncp_test_ipc_child.so", folder + "/libwarm.so");
  FdList fds;
  Started s = StartIsolated(entry, "new", ShippedProfile("default"), &fds, true);
  EXPECT_EQ(s.code, NCP_ERR_LIB_LOADING_FAILED) << "a sandbox of the old library served it";
  NCP_SetWarmPool(2, 30000);
}

// The sandbox's shape includes the caller's environment and umask: a start after they changed
// is never served by a sandbox prepared with the old ones, and sees the new ones.
TEST(WarmSandbox, AStartSeesTheEnvironmentAndUmaskOfItsCallNotOfThePool) {
  NCP_REQUIRE_USERNS();
  ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);
  TempDir dir;
  // Keeps the caller's environment (no clearenv), so the child shows what it was given.
  const std::string profile = WriteProfile(dir, "keep-env.profile",
                                           "unshare-all\nro-bind = /usr\nro-bind-try = /lib\n"
                                           "ro-bind-try = /lib64\nro-bind-try = /bin\n"
                                           "tmpfs = /tmp\nno-seccomp\n");
  auto context = [&] {
    IsolatedRun run = RunIsolated("Probe", "context", profile);
    return ParseProbe(run.out)["context"];
  };
  setenv("NCP_WARM_SHAPE_MARK", "before", 1);
  const mode_t old_mask = umask(022);
  EXPECT_NE(context().find("NCP_WARM_SHAPE_MARK=before"), std::string::npos);  // cold, fills
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_NE(context().find("NCP_WARM_SHAPE_MARK=before"), std::string::npos);  // warm
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  setenv("NCP_WARM_SHAPE_MARK", "after", 1);
  umask(027);
  const std::string seen = context();
  umask(old_mask);
  unsetenv("NCP_WARM_SHAPE_MARK");
  EXPECT_NE(seen.find("NCP_WARM_SHAPE_MARK=after"), std::string::npos) << seen;
  EXPECT_NE(seen.find("umask=027"), std::string::npos) << seen;
  NCP_SetWarmPool(2, 30000);
}

// The caller's credentials are part of a sandbox's shape: a thread that dropped to another uid
// is never served by a sandbox prepared for root's (its launcher would run as root).
TEST(WarmSandbox, AThreadWithOtherCredentialsIsNeverServedARootSandbox) {
  NCP_REQUIRE_USERNS();
  if (geteuid() != 0) GTEST_SKIP() << "dropping a thread's uid needs root";
  ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);
  for (int i = 0; i < 2; ++i) {  // as root: the first builds cold and fills the pool
    EXPECT_EQ(RunIsolated("EchoParams", "root", ShippedProfile("default")).out, "root");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string launcher_uid;
  std::thread([&] {
    // Raw syscalls: glibc's setresuid would change every thread of the test.
    if (syscall(SYS_setgroups, 0, nullptr) != 0 ||
        syscall(SYS_setresgid, 65534, 65534, 65534) != 0 ||
        syscall(SYS_setresuid, 65534, 65534, 65534) != 0) {
      launcher_uid = "cannot drop";
      return;
    }
    // The child waits for a byte, so its launcher is still there to be looked at.
    Pipe in = MakePipe();
    FdList fds;
    fds.Add("in", in.read.get());
    Started s = StartIsolated(TestEntry("WaitForByte"), "", ShippedProfile("default"), &fds);
    in.read.reset();
    if (s.code != NCP_NO_ERROR) {
      launcher_uid = "start failed: " + s.message;
      return;
    }
    std::ifstream status("/proc/" + std::to_string(s.pid) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("Uid:", 0) == 0) launcher_uid = line;
    }
    if (launcher_uid.empty()) launcher_uid = "no /proc/" + std::to_string(s.pid) + "/status";
    in.write.reset();  // EOF: the child returns
  }).join();
  EXPECT_EQ(launcher_uid.find("Uid:\t65534"), 0u) << launcher_uid;
  NCP_SetWarmPool(2, 30000);
}

TEST(WarmSandboxLifetime, KillingTheApplicationLeavesNoPreparedSandboxBehind) {
  NCP_REQUIRE_USERNS();
  ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);  // the helper inherits no setting: defaults
  // The shape's builder, and the default pool's four sandboxes of three processes each
  // (ncp-launch, init, the waiting entry process).
  ExpectNothingLeftAfterKillingTheApplication(
      {NCP_TEST_ISOLATED_PARENT, ShippedProfile("default"), TestEntry("EchoParams")}, 13);
  NCP_SetWarmPool(2, 30000);
}

std::mutex g_ended_mutex;
std::set<int32_t> g_ended;
void RecordEnd(const NCP_ChildExitInfo* info, void*) {
  std::lock_guard<std::mutex> lock(g_ended_mutex);
  g_ended.insert(info->pid);
}

// The shape's builder among our descendants (launcher/warm_builder.h names it), or -1.
pid_t FindBuilder(pid_t other_than, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  do {
    for (pid_t pid : Descendants(getpid())) {
      if (pid != other_than && ProcessName(pid) == "ncp-builder") return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return -1;
}

pid_t ParentOf(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 2));
  std::string state;
  pid_t parent = -1;
  rest >> state >> parent;
  return parent;
}

// A shape's warm sandboxes are forked by its builder as the fork server's children. A builder
// that dies takes its shape's sandboxes with it and costs no start; a new one serves the shape
// again; and no process the application never started is ever reported to it as ended.
TEST(WarmBuilder, ABuilderThatDiesCostsNoStartAndReportsNoStrangerEnds) {
  NCP_REQUIRE_USERNS();
  ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);
  {
    std::lock_guard<std::mutex> lock(g_ended_mutex);
    g_ended.clear();
  }
  ASSERT_EQ(NCP_RegisterChildExitCallback(RecordEnd, nullptr), NCP_NO_ERROR);
  std::set<int32_t> started;
  auto run = [&](const std::string& params) {
    IsolatedRun r = RunIsolated("EchoParams", params, ShippedProfile("default"));
    EXPECT_EQ(r.start_code, NCP_NO_ERROR);
    EXPECT_EQ(r.out, params);
    started.insert(r.pid);
    return r.pid;
  };
  run("cold");
  const pid_t builder = FindBuilder(-1, std::chrono::seconds(10));
  ASSERT_GT(builder, 0) << "no builder for the shape";
  const pid_t server = ParentOf(builder);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the pool fills
  run("warm");
  for (pid_t pid : Descendants(getpid())) {
    EXPECT_NE(ParentOf(pid), builder) << "the builder has a child of its own: " << pid;
  }
  // A warm sandbox's launcher was the fork server's child: the next one is, before it serves.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int sandboxes = 0;
  for (pid_t pid : Descendants(getpid())) {
    if (pid != builder && ParentOf(pid) == server && ProcessName(pid) == "ncp-launch") ++sandboxes;
  }
  EXPECT_GE(sandboxes, 1) << "no prepared sandbox is the fork server's child";

  ASSERT_EQ(kill(builder, SIGKILL), 0);
  for (int i = 0; i < 6; ++i) {
    run("after " + std::to_string(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(FindBuilder(builder, std::chrono::seconds(10)), 0) << "the shape has no builder again";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  NCP_UnregisterChildExitCallback(RecordEnd, nullptr);
  std::lock_guard<std::mutex> lock(g_ended_mutex);
  EXPECT_EQ(g_ended, started) << "ends reported for processes the application never started";
  NCP_SetWarmPool(2, 30000);
}

}  // namespace
}  // namespace ncp::testing
