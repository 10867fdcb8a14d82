// Red-team probes of issue 11's warm sandboxes: a warm sandbox must give exactly what a cold
// start of the same request would give at the time of the call. Each test makes a start
// cold, changes something on the host that a cold build reads, lets the pool refill, and
// checks that the starts after the change see what a cold build would see now.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "isolated/isolated_support.h"

namespace ncp::testing {
namespace {

namespace fs = std::filesystem;

// The pool refills off the caller's thread; nothing tells a test when it is ready, so each
// probe is repeated with pauses: a start served warm is among them, and every one of them,
// warm or cold, must see the same.
constexpr int kStartsAfterTheChange = 3;
constexpr auto kRefillPause = std::chrono::milliseconds(400);

std::map<std::string, std::string> ProbeUnder(const std::string& profile,
                                              const std::string& probes) {
  IsolatedRun run = RunIsolated("Probe", probes, profile);
  EXPECT_EQ(run.start_code, NCP_NO_ERROR);
  EXPECT_EQ(run.exit.exitCode, 0);
  return ParseProbe(run.out);
}

class WarmRed : public ::testing::Test {
 protected:
  void SetUp() override {
    NCP_REQUIRE_USERNS();
    ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);
    chmod(dir_.path().c_str(), 0755);
  }
  void TearDown() override { NCP_SetWarmPool(2, 30000); }

  std::string WriteProfile(const std::string& body) {
    const std::string path = dir_.path() + "/red.profile";
    std::ofstream(path) << "include = default\n" << body;
    chmod(path.c_str(), 0644);
    return path;
  }
  void MakeFolderWith(const std::string& folder, const std::string& file) {
    fs::create_directories(folder);
    chmod(folder.c_str(), 0755);
    std::ofstream(folder + "/" + file) << "x";
    chmod((folder + "/" + file).c_str(), 0644);
  }

  // A profile that binds `folder` (made, with a file "old" in it) read-only at /data; one
  // start has seen the file and primed the pool, which has had time to refill.
  std::string PrimedProfileBinding(const std::string& folder) {
    MakeFolderWith(folder, "old");
    const std::string profile = WriteProfile("ro-bind = " + folder + ":/data\n");
    auto first = ProbeUnder(profile, "open:/data/old");
    EXPECT_EQ(first["open:/data/old"], "ok");
    std::this_thread::sleep_for(kRefillPause);
    return profile;
  }

  TempDir dir_;
};

// A profile's bind source replaced (the folder renamed away and a new one made in its place,
// as a package upgrade or a deploy does): a cold start binds the new folder. A warm sandbox
// bound the old one when it was built and still shows it.
TEST_F(WarmRed, AReplacedBindSourceIsNeverServedFromThePool) {
  const std::string data = dir_.path() + "/data";
  const std::string profile = PrimedProfileBinding(data);
  fs::rename(data, dir_.path() + "/data.old");
  MakeFolderWith(data, "new");
  for (int i = 0; i < kStartsAfterTheChange; ++i) {
    auto seen = ProbeUnder(profile, "open:/data/old;open:/data/new");
    EXPECT_EQ(seen["open:/data/new"], "ok") << "start " << i << " saw the old folder";
    EXPECT_EQ(seen["open:/data/old"], "ENOENT") << "start " << i << " saw the old folder";
    std::this_thread::sleep_for(kRefillPause);
  }
}

// An optional bind whose source appears after the pool was primed: a cold start binds it.
TEST_F(WarmRed, AnOptionalBindSourceThatAppearsIsBound) {
  const std::string maybe = dir_.path() + "/maybe";
  const std::string profile = WriteProfile("ro-bind-try = " + maybe + ":/maybe\n");
  auto first = ProbeUnder(profile, "open:/maybe/file");
  ASSERT_NE(first["open:/maybe/file"], "ok");
  std::this_thread::sleep_for(kRefillPause);
  MakeFolderWith(maybe, "file");
  for (int i = 0; i < kStartsAfterTheChange; ++i) {
    auto seen = ProbeUnder(profile, "open:/maybe/file");
    EXPECT_EQ(seen["open:/maybe/file"], "ok") << "start " << i << " got a sandbox built before";
    std::this_thread::sleep_for(kRefillPause);
  }
}

// A required bind source that is gone: a cold start fails synchronously (16010003). A warm
// sandbox still holds the deleted folder and must not serve the start.
TEST_F(WarmRed, ARequiredBindSourceThatIsGoneFailsTheStart) {
  const std::string data = dir_.path() + "/data";
  const std::string profile = PrimedProfileBinding(data);
  fs::remove_all(data);
  ExitWatcher watcher;
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  NCP_ChildProcessConfigs_SetProfile(configs, profile.c_str());
  const std::string entry = std::string(kTestLib) + ":Probe";
  NativeChildProcess_Args args{const_cast<char*>("open:/data/old"), fds.list()};
  int32_t pid = 0;
  const int code =
      OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), args, configs, &pid);
  OH_Ability_DestroyChildProcessConfigs(configs);
  out.write.reset();
  if (code == NCP_NO_ERROR) {
    const std::string seen = ReadAll(out.read.get());
    watcher.Wait(pid);
    ADD_FAILURE() << "a warm sandbox of the deleted folder served the start: " << seen;
  }
  EXPECT_EQ(code, NCP_ERR_SERVICE_ERROR);
}

// Starts `entry` isolated under the default profile, waiting for the entry: 0, or 16010007
// when the library it loads has no such entry.
int StartWaitingForEntry(const std::string& entry) {
  ExitWatcher watcher;
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  NCP_ChildProcessConfigs_SetProfile(configs, ShippedProfile("default").c_str());
  NCP_ChildProcessConfigs_SetWaitForEntry(configs, true);
  NativeChildProcess_Args args{const_cast<char*>("x"), fds.list()};
  int32_t pid = 0;
  const int code =
      OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), args, configs, &pid);
  OH_Ability_DestroyChildProcessConfigs(configs);
  out.write.reset();
  if (code == NCP_NO_ERROR) {
    ReadAll(out.read.get());
    watcher.Wait(pid);
  }
  return code;
}

// A library named through a symlink that is re-pointed to a new version (as a package upgrade
// does: libfoo.so -> libfoo.so.2): a cold start resolves the link now and loads the new file
// (here one without the entry: 16010007). The warm sandbox checked only the file it resolved
// when it was built, which did not change.
TEST_F(WarmRed, ARepointedLibrarySymlinkIsNeverServedFromThePool) {
  const std::string folder = dir_.path() + "/lib";
  fs::create_directories(folder);
  chmod(folder.c_str(), 0755);
  fs::copy_file(fs::path(NCP_TEST_LIB_DIR) / kTestLib, folder + "/libwarm.so.1");
  fs::create_symlink("libwarm.so.1", folder + "/libwarm.so");
  const std::string entry = folder + "/libwarm.so:EchoParams";
  ASSERT_EQ(StartWaitingForEntry(entry), NCP_NO_ERROR);
  std::this_thread::sleep_for(kRefillPause);
  fs::copy_file(fs::path(NCP_TEST_LIB_DIR) / "libncp_test_ipc_child.so", folder + "/libwarm.so.2");
  fs::create_symlink("libwarm.so.2", folder + "/libwarm.so.new");
  fs::rename(folder + "/libwarm.so.new", folder + "/libwarm.so");
  for (int i = 0; i < kStartsAfterTheChange; ++i) {
    EXPECT_EQ(StartWaitingForEntry(entry), NCP_ERR_LIB_LOADING_FAILED)
        << "start " << i << " loaded the old version";
    std::this_thread::sleep_for(kRefillPause);
  }
}

// A bare library name found in NCP_LIBRARY_PATH's second folder; then a library of that name
// appears in its first folder. A cold start finds the first; a warm sandbox keeps the second.
TEST_F(WarmRed, ALibraryThatNowShadowsTheResolvedOneIsLoaded) {
  const std::string first = dir_.path() + "/first", second = dir_.path() + "/second";
  for (const std::string& f : {first, second}) {
    fs::create_directories(f);
    chmod(f.c_str(), 0755);
  }
  fs::copy_file(fs::path(NCP_TEST_LIB_DIR) / kTestLib, second + "/libncpredwarm.so");
  const char* before = getenv("NCP_LIBRARY_PATH");
  const std::string saved = before != nullptr ? before : "";
  setenv("NCP_LIBRARY_PATH", (first + ":" + second).c_str(), 1);
  EXPECT_EQ(StartWaitingForEntry("libncpredwarm.so:EchoParams"), NCP_NO_ERROR);
  std::this_thread::sleep_for(kRefillPause);
  fs::copy_file(fs::path(NCP_TEST_LIB_DIR) / "libncp_test_ipc_child.so",
                first + "/libncpredwarm.so");
  for (int i = 0; i < kStartsAfterTheChange; ++i) {
    EXPECT_EQ(StartWaitingForEntry("libncpredwarm.so:EchoParams"), NCP_ERR_LIB_LOADING_FAILED)
        << "start " << i << " loaded the shadowed library";
    std::this_thread::sleep_for(kRefillPause);
  }
  if (before != nullptr) {
    setenv("NCP_LIBRARY_PATH", saved.c_str(), 1);
  } else {
    unsetenv("NCP_LIBRARY_PATH");
  }
}

// An application running with fds 0-2 closed (a daemon): its fork server, spawned from it,
// has them closed too, so its own fds (signalfd, a received request memfd, pidfds, sockets)
// take 0-2, and every child it forks keeps 0-2 as they are. The child must get what the
// application had at 0-2 (nothing), never the server's fds. Run in a fresh process (the test
// binary itself, this one test), so that the fork server is born with 0-2 closed.
constexpr char kInnerVariable[] = "NCP_RED_CLOSED_STDIO_INNER";

std::string StartProbeWithoutStdio(bool isolated) {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return "pipe failed";
  // Above 0-2, which must stay closed here.
  base::UniqueFd read_end(fcntl(ends[0], F_DUPFD_CLOEXEC, 10));
  base::UniqueFd write_end(fcntl(ends[1], F_DUPFD_CLOEXEC, 10));
  close(ends[0]);
  close(ends[1]);
  FdList fds;
  fds.Add("out", write_end.get());
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  if (isolated) {
    OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  }
  const std::string entry = std::string(kTestLib) + ":Probe";
  NativeChildProcess_Args args{const_cast<char*>("fds"), fds.list()};
  int32_t pid = 0;
  ExitWatcher watcher;
  const int code =
      OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), args, configs, &pid);
  OH_Ability_DestroyChildProcessConfigs(configs);
  write_end.reset();
  if (code != NCP_NO_ERROR) return "start failed " + std::to_string(code);
  // A copy of the write end kept by a warm child (it inherited the server's fds at 0-2)
  // holds EOF back: the timeout then fails the test.
  const std::string out = ReadAll(read_end.get(), std::chrono::seconds(5));
  watcher.Wait(pid);
  return ParseProbe(out)["fds"];
}

TEST(WarmRedClosedStdio, Inner) {
  if (getenv(kInnerVariable) == nullptr) GTEST_SKIP() << "run by ChildrenGetNoServerFdAt0To2";
  for (int fd = 0; fd < 3; ++fd) ASSERT_EQ(fcntl(fd, F_GETFD), -1) << "fd " << fd << " is open";
  ASSERT_EQ(NCP_SetWarmPool(2, 0), NCP_NO_ERROR);
  for (int i = 0; i < 3; ++i) {  // cold, then warm children
    EXPECT_EQ(StartProbeWithoutStdio(false), "4") << "normal start " << i;
    std::this_thread::sleep_for(kRefillPause);
  }
}

TEST(WarmRedClosedStdio, ChildrenGetNoServerFdAt0To2) {
  if (getenv(kInnerVariable) != nullptr) GTEST_SKIP();
  std::vector<std::string> words = {"/proc/self/exe", "--gtest_filter=WarmRedClosedStdio.Inner"};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_words;
  for (char** e = environ; *e != nullptr; ++e) env_words.emplace_back(*e);
  env_words.push_back(std::string(kInnerVariable) + "=1");
  std::vector<char*> envp;
  for (std::string& w : env_words) envp.push_back(w.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd = 0; fd < 3; ++fd) posix_spawn_file_actions_addclose(&actions, fd);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "a child got the fork server's fds at 0-2 (run with " << kInnerVariable
      << "=1 --gtest_filter="
         "WarmRedClosedStdio.Inner 0<&- 1>&- 2>&- to see which)";
}

}  // namespace
}  // namespace ncp::testing
