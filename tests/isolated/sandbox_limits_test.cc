// Isolated children as a whole application sees them: a broken profile, the profile from the
// environment, the sandbox dying with its application, isolationUid.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/isolation_uid.h"
#include "isolated/isolated_support.h"
#include "testing/processes.h"

namespace ncp::testing {
namespace {

// ncp_test_isolated_parent with stdout/stderr captured and stdin held open by the test.
class IsolatedParent {
 public:
  IsolatedParent(const std::string& profile, const std::string& entry, const std::string& params) {
    Pipe in = MakePipe(), out = MakePipe(), err = MakePipe();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
    const std::string full = std::string(kTestLib) + ":" + entry;
    std::vector<char*> argv{const_cast<char*>(NCP_TEST_ISOLATED_PARENT),
                            const_cast<char*>(profile.c_str()), const_cast<char*>(full.c_str()),
                            const_cast<char*>(params.c_str()), nullptr};
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    stdin_ = std::move(in.write);
    stdout_ = std::move(out.read);
    stderr_ = std::move(err.read);
  }
  ~IsolatedParent() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // The next line of its stdout ("child PID", "exit CODE SIGNAL", "error ...").
  std::string Line() {
    std::string line;
    char c;
    while (read(stdout_.get(), &c, 1) == 1 && c != '\n') line += c;
    return line;
  }
  // Everything on its stderr once it has exited.
  std::string Finish() {
    stdin_.reset();
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return ReadAll(stderr_.get());
  }
  void Kill() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  pid_t pid_ = 0;
  base::UniqueFd stdin_, stdout_, stderr_;
};

int ParseInt(const std::string& line, const std::string& key) {
  std::istringstream in(line);
  std::string word;
  int value = 0;
  in >> word >> value;
  EXPECT_EQ(word, key) << line;
  return value;
}

// The start itself fails (16010003) with the profile's file:line in its message; nothing ran.
TEST(IsolatedLimits, ABrokenProfileStartsNothingAndNamesFileAndLine) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile = WriteProfile(dir, "broken.profile", "unshare-all\nfrobnicate = 1\n");
  IsolatedParent parent(profile, "WriteSucc", "");
  const std::string line = parent.Line();
  EXPECT_EQ(line.rfind("error 16010003 ", 0), 0u) << line;
  EXPECT_NE(line.find("broken.profile:2:"), std::string::npos) << line;
  EXPECT_NE(line.find("frobnicate"), std::string::npos) << line;
  // Said once, to the caller: ncp-launch does not print it on the application's stderr too.
  const std::string err = parent.Finish();
  EXPECT_EQ(err.find("frobnicate"), std::string::npos) << err;
}

TEST(IsolatedLimits, AProfileNameCannotBecomeALauncherOption) {
  NCP_REQUIRE_USERNS();
  // A name that looks like the launcher's own --no-seccomp must stay a profile name (one that
  // does not exist): nothing runs, rather than a child without a filter.
  IsolatedParent parent("--no-seccomp", "WriteSucc", "");
  const std::string line = parent.Line();
  EXPECT_EQ(line.rfind("error 16010003 ", 0), 0u) << line;
  EXPECT_NE(line.find("--no-seccomp"), std::string::npos) << line;
  parent.Finish();
}

TEST(IsolatedLimits, KillingTheApplicationKillsTheWholeSandbox) {
  NCP_REQUIRE_USERNS();
  IsolatedParent parent(ShippedProfile("default"), "Sleep", "");
  const pid_t launcher = ParseInt(parent.Line(), "child");
  ASSERT_GT(launcher, 0);
  // Launcher → init → entry: wait for that steady state (a start passes through short-lived
  // intermediate processes), then remember all of them.
  std::vector<pid_t> sandbox;
  for (int i = 0; i < 500 && sandbox.size() != 2; ++i) {
    sandbox = Descendants(launcher);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(sandbox.size(), 2u) << "expected init and the entry under the launcher";
  sandbox.push_back(launcher);
  parent.Kill();
  for (pid_t pid : sandbox) {
    bool gone = false;
    for (int i = 0; i < 500 && !gone; ++i) {
      gone = !ProcessExists(pid);
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(gone) << "pid " << pid << " outlived its application";
  }
}

TEST(IsolatedLimits, NcpProfileFromTheEnvironmentIsUsedWhenTheConfigsNameNone) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile = WriteProfile(
      dir, "env.profile", "include = " + ShippedProfile("default") + "\nhostname = from-env\n");
  setenv("NCP_PROFILE", profile.c_str(), 1);
  auto probe = ParseProbe(RunIsolated("Probe", "hostname", "").out);
  unsetenv("NCP_PROFILE");
  EXPECT_EQ(probe["hostname"], "from-env");
  // And the configs' own profile wins over the environment.
  setenv("NCP_PROFILE", profile.c_str(), 1);
  probe = ParseProbe(RunIsolated("Probe", "hostname", ShippedProfile("default")).out);
  unsetenv("NCP_PROFILE");
  EXPECT_NE(probe["hostname"], "from-env");
}

TEST(IsolatedLimits, IsolatedStartsWithOptionsUseTheDefaultSandbox) {
  NCP_REQUIRE_USERNS();
  setenv("NCP_PROFILE", ShippedProfile("default").c_str(), 1);
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  ExitWatcher watcher;
  const std::string entry = std::string(kTestLib) + ":Probe";
  NativeChildProcess_Args args{const_cast<char*>("pid;status"), fds.list()};
  int32_t pid = 0;
  ASSERT_EQ(OH_Ability_StartNativeChildProcess(entry.c_str(), args,
                                               {NCP_ISOLATION_MODE_ISOLATED, 0}, &pid),
            NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  unsetenv("NCP_PROFILE");
  out.write.reset();
  auto probe = ParseProbe(ReadAll(out.read.get()));
  EXPECT_EQ(probe["pid"], "2");
  EXPECT_EQ(probe["Seccomp"], "2");
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
}

TEST(IsolatedLimits, IsolationUidRunsTheEntryUnderADistinctHostUid) {
  NCP_REQUIRE_USERNS();
  if (!base::IsolationUidAvailable().ok()) {
    // Not root and no subordinate range: the start must fail with 16010003 and say why.
    Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
    OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
    OH_Ability_ChildProcessConfigs_SetIsolationUid(configs, true);
    const std::string entry = std::string(kTestLib) + ":EchoParams";
    int32_t pid = -42;
    EXPECT_EQ(OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), {nullptr, {nullptr}},
                                                            configs, &pid),
              NCP_ERR_SERVICE_ERROR);
    EXPECT_NE(std::string(NCP_GetLastErrorMessage()).find("isolationUid"), std::string::npos)
        << NCP_GetLastErrorMessage();
    EXPECT_EQ(pid, -42);
    OH_Ability_DestroyChildProcessConfigs(configs);
    return;
  }
  Pipe in = MakePipe();
  FdList fds;
  fds.Add("in", in.read.get());
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  OH_Ability_ChildProcessConfigs_SetIsolationUid(configs, true);
  NCP_ChildProcessConfigs_SetProfile(configs, ShippedProfile("default").c_str());
  ExitWatcher watcher;
  const std::string entry = std::string(kTestLib) + ":WaitForByte";
  int32_t launcher = 0;
  ASSERT_EQ(OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), {nullptr, fds.list()},
                                                          configs, &launcher),
            NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  OH_Ability_DestroyChildProcessConfigs(configs);
  in.read.reset();
  std::vector<pid_t> sandbox;
  for (int i = 0; i < 500 && sandbox.size() != 2; ++i) {
    sandbox = Descendants(launcher);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(sandbox.size(), 2u);
  const HostUids uids = HostUidsOf(sandbox.back());
  ASSERT_NE(uids.real, -1);
  EXPECT_NE(uids.real, static_cast<long>(getuid()));
  EXPECT_NE(uids.effective, static_cast<long>(getuid()));
  EXPECT_NE(uids.real, 0);
  ASSERT_EQ(write(in.write.get(), "x", 1), 1);
  EXPECT_EQ(watcher.Wait(launcher).exitCode, 0);
}

}  // namespace
}  // namespace ncp::testing
