// NCP_StartChildProgram in isolated mode: the program runs in ncp-launch's program form with
// the configs' profile: host paths outside the binds are invisible, the placed fds (and no
// others) are there, envp passes, its end reaches the exit callbacks and waiters.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "isolated/isolated_support.h"

namespace ncp::testing {
namespace {

struct ShellRun {
  int code = -1;
  int32_t pid = 0;
  std::string out;
  NCP_ChildExitInfo exit{};
};

// /bin/sh -c SCRIPT in the sandbox of `profile`, stdout on a pipe, plus `extra` placements.
// `env`: envp (nullopt: NULL, the caller's environment through the profile's rules).
ShellRun RunIsolatedShell(const std::string& script,
                          std::optional<std::vector<std::string>> env = std::nullopt,
                          std::vector<NCP_ChildFdPlacement> extra = {},
                          const std::string& profile = ShippedProfile("default")) {
  ExitWatcher watcher;
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  NCP_ChildProcessConfigs_SetProfile(configs, profile.c_str());
  Pipe out = MakePipe();
  extra.push_back({out.write.get(), 1});
  std::vector<std::string> argv{"sh", "-c", script};
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> envp;
  if (env) {
    for (std::string& e : *env) envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  ShellRun run;
  run.code = NCP_StartChildProgram("/bin/sh", args.data(), env ? envp.data() : nullptr, configs,
                                   extra.data(), extra.size(), &run.pid);
  OH_Ability_DestroyChildProcessConfigs(configs);
  out.write.reset();
  if (run.code != NCP_NO_ERROR) return run;
  run.out = ReadAll(out.read.get());
  run.exit = watcher.Wait(run.pid);
  return run;
}

TEST(IsolatedProgram, HostPathsOutsideTheBindsAreInvisibleAndItStartsInTheSandboxRoot) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string secret = dir.path() + "/secret";
  std::ofstream(secret) << "host only";
  ASSERT_EQ(access(secret.c_str(), R_OK), 0);
  ShellRun run = RunIsolatedShell("if [ -e '" + secret +
                                  "' ]; then echo visible; else echo hidden; fi; "
                                  "if [ -e /usr/bin ]; then echo usr; fi; pwd");
  ASSERT_EQ(run.code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(run.out, "hidden\nusr\n/\n");
  EXPECT_EQ(run.exit.exitCode, 0);
}

// Shell builtins only (the default profile's filter refuses fork): which of fds 0-64 exist,
// tested with stat so that the test itself opens none.
constexpr char kListFds[] =
    "n=0; while [ $n -le 64 ]; do [ -e /proc/self/fd/$n ] && printf '%s ' $n; n=$((n+1)); "
    "done; echo; ";

TEST(IsolatedProgram, ThePlacedFdsAndNoOthersAreOpenAndEnvpIsTheWholeEnvironment) {
  NCP_REQUIRE_USERNS();
  Pipe seven = MakePipe();
  ASSERT_EQ(write(seven.write.get(), "via seven\n", 10), 10);
  seven.write.reset();
  base::UniqueFd unrelated(open("/dev/null", O_RDONLY));  // must not reach the program
  ShellRun run = RunIsolatedShell(std::string(kListFds) +
                                      "read line <&7; echo \"$line\"; "
                                      "echo \"[$NCP_ISOLATED_VALUE]\"; echo \"[$LANG]\"",
                                  std::vector<std::string>{"NCP_ISOLATED_VALUE=passed in"},
                                  {{seven.read.get(), 7}});
  ASSERT_EQ(run.code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  // envp replaces what the profile would give (default: a cleared environment, PATH, LANG).
  EXPECT_EQ(run.out, "0 1 2 7 \nvia seven\n[passed in]\n[]\n");
  EXPECT_EQ(run.exit.exitCode, 0);
}

TEST(IsolatedProgram, WithoutEnvpTheProfileRulesTheCallersEnvironment) {
  NCP_REQUIRE_USERNS();
  ASSERT_EQ(setenv("NCP_ISOLATED_VALUE", "from the caller", 1), 0);
  ShellRun run = RunIsolatedShell("echo \"[$NCP_ISOLATED_VALUE]\"; echo \"$PATH\"");
  unsetenv("NCP_ISOLATED_VALUE");
  ASSERT_EQ(run.code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(run.out, "[]\n/usr/bin:/bin\n");  // the default profile clears it, sets PATH
}

// envp is the program's, inside the sandbox: ncp-launch, which builds the sandbox on the host,
// runs with the caller's environment (an LD_PRELOAD in envp must not run code there).
TEST(IsolatedProgram, EnvpNeverBecomesTheLaunchersEnvironment) {
  NCP_REQUIRE_USERNS();
  ExitWatcher watcher;
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  NCP_ChildProcessConfigs_SetProfile(configs, ShippedProfile("default").c_str());
  Pipe in = MakePipe(), out = MakePipe();
  // The loader's complaint about the LD_PRELOAD goes to /dev/null, not into the test's output.
  base::UniqueFd null(open("/dev/null", O_WRONLY | O_CLOEXEC));
  NCP_ChildFdPlacement placements[] = {
      {in.read.get(), 0}, {out.write.get(), 1}, {null.get(), 2}};
  char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                  const_cast<char*>("echo \"$NCP_ENVP_MARKER\"; read line"), nullptr};
  char* envp[] = {const_cast<char*>("NCP_ENVP_MARKER=inside"),
                  const_cast<char*>("LD_PRELOAD=/nonexistent/ncp-envp-probe.so"), nullptr};
  int32_t pid = 0;
  ASSERT_EQ(NCP_StartChildProgram("/bin/sh", argv, envp, configs, placements, 3, &pid),
            NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  OH_Ability_DestroyChildProcessConfigs(configs);
  in.read.reset();
  out.write.reset();
  char line[64] = {};
  ASSERT_GT(read(out.read.get(), line, sizeof line - 1), 0);
  EXPECT_STREQ(line, "inside\n");
  // The program waits on its stdin: ncp-launch (pid) is still there to look at.
  std::ifstream environ_file("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  const bool environ_readable = environ_file.is_open();
  const std::string launcher_env((std::istreambuf_iterator<char>(environ_file)),
                                 std::istreambuf_iterator<char>());
  ASSERT_EQ(write(in.write.get(), "done\n", 5), 5);
  in.write.reset();
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
  // ncp-launch makes itself non-dumpable, so only root may read its environment.
  // (and root's only with CAP_SYS_PTRACE, which root in a container lacks).
  if (geteuid() != 0 || !environ_readable)
    GTEST_SKIP() << "/proc/PID/environ of ncp-launch is for root with CAP_SYS_PTRACE to read";
  EXPECT_FALSE(launcher_env.empty());
  EXPECT_EQ(launcher_env.find("NCP_ENVP_MARKER"), std::string::npos);
  EXPECT_EQ(launcher_env.find("LD_PRELOAD"), std::string::npos);
}

TEST(IsolatedProgram, EnvpPassesInWhereTheProfileKeepsTheEnvironment) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile = WriteProfile(dir, "keep-env.profile",
                                           "unshare-all\nro-bind = /usr\nro-bind-try = /lib\n"
                                           "ro-bind-try = /lib64\nro-bind-try = /bin\n"
                                           "tmpfs = /tmp\nno-seccomp\n");
  ShellRun run =
      RunIsolatedShell("echo \"[$NCP_ISOLATED_VALUE]\"",
                       std::vector<std::string>{"NCP_ISOLATED_VALUE=passed in"}, {}, profile);
  ASSERT_EQ(run.code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(run.out, "[passed in]\n");
}

TEST(IsolatedProgram, ItsExitStatusReachesTheCallbacksAndWaiters) {
  NCP_REQUIRE_USERNS();
  ShellRun run = RunIsolatedShell("exit 7");
  ASSERT_EQ(run.code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(run.exit.exitCode, 7);
  NCP_ChildExitInfo info{};
  info.structSize = sizeof info;
  ASSERT_EQ(NCP_WaitForChildExit(run.pid, 0, &info), NCP_NO_ERROR);
  EXPECT_EQ(info.exitCode, 7);
}

TEST(IsolatedProgram, AHostProgramTheSandboxDoesNotBindEndsWith127) {
  NCP_REQUIRE_USERNS();
  TempDir dir;  // under $TMPDIR: the sandbox has a private /tmp, no host paths outside its binds
  const std::string program = dir.path() + "/host-only";
  std::ofstream(program) << "#!/bin/sh\nexit 0\n";
  ASSERT_EQ(chmod(program.c_str(), 0755), 0);
  ExitWatcher watcher;
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  NCP_ChildProcessConfigs_SetProfile(configs, ShippedProfile("default").c_str());
  base::UniqueFd null(open("/dev/null", O_WRONLY | O_CLOEXEC));
  NCP_ChildFdPlacement quiet{null.get(), 2};  // the launcher's "not found" line
  int32_t pid = 0;
  ASSERT_EQ(NCP_StartChildProgram(program.c_str(), nullptr, nullptr, configs, &quiet, 1, &pid),
            NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  OH_Ability_DestroyChildProcessConfigs(configs);
  EXPECT_EQ(watcher.Wait(pid).exitCode, 127);
}

TEST(IsolatedProgram, AMissingHostPathFailsTheCall) {
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  int32_t pid = -42;
  EXPECT_EQ(NCP_StartChildProgram("/nonexistent/ncp-program", nullptr, nullptr, configs, nullptr, 0,
                                  &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_STREQ(NCP_GetLastErrorMessage(),
               "the program cannot be executed: No such file or directory");
  EXPECT_EQ(pid, -42);
  OH_Ability_DestroyChildProcessConfigs(configs);
}

// The working directory is a path inside the sandbox; one that is not there ends the sandbox
// before the program runs.
TEST(IsolatedProgram, AWorkingDirectoryIsOneInsideTheSandbox) {
  NCP_REQUIRE_USERNS();
  for (const auto& [directory, expected] :
       {std::pair{std::string("/usr/bin"), 0}, std::pair{std::string("/no/such/dir"), 125}}) {
    ExitWatcher watcher;
    Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
    OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
    NCP_ChildProcessConfigs_SetProfile(configs, ShippedProfile("default").c_str());
    ASSERT_EQ(NCP_ChildProcessConfigs_SetWorkingDirectory(configs, directory.c_str()),
              NCP_NO_ERROR);
    Pipe out = MakePipe();
    NCP_ChildFdPlacement placement{out.write.get(), 1};
    char* argv[] = {const_cast<char*>("pwd"), nullptr};
    int32_t pid = 0;
    ASSERT_EQ(NCP_StartChildProgram("/bin/pwd", argv, nullptr, configs, &placement, 1, &pid),
              NCP_NO_ERROR)
        << NCP_GetLastErrorMessage();
    OH_Ability_DestroyChildProcessConfigs(configs);
    out.write.reset();
    const std::string printed = ReadAll(out.read.get());
    EXPECT_EQ(watcher.Wait(pid).exitCode, expected) << directory;
    EXPECT_EQ(printed, expected == 0 ? directory + "\n" : "") << directory;
  }
}

struct LoggedLines {
  std::mutex mu;
  std::vector<std::pair<NCP_LogLevel, std::string>> lines;
};

void KeepLine(NCP_LogLevel level, const char* message, void* data) {
  auto* logged = static_cast<LoggedLines*>(data);
  std::lock_guard lock(logged->mu);
  logged->lines.emplace_back(level, message);
}

// A sandbox that cannot be built fails the start itself: the caller has the reason from the
// call, so nothing goes to the log callback and no child ever ends.
TEST(IsolatedLogCallback, ASandboxThatCannotBeBuiltFailsTheStartInsteadOfLogging) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string broken = WriteProfile(dir, "broken.profile", "no-such-option\n");
  LoggedLines logged;
  ASSERT_EQ(NCP_SetLogCallback(KeepLine, &logged), NCP_NO_ERROR);
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  NCP_ChildProcessConfigs_SetProfile(configs, broken.c_str());
  const std::string entry = std::string(kTestLib) + ":EchoParams";
  NativeChildProcess_Args args{const_cast<char*>("never"), {nullptr}};
  int32_t pid = 0;
  const int code = OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), args, configs, &pid);
  const std::string message = NCP_GetLastErrorMessage();
  OH_Ability_DestroyChildProcessConfigs(configs);
  ASSERT_EQ(NCP_SetLogCallback(nullptr, nullptr), NCP_NO_ERROR);
  EXPECT_EQ(code, NCP_ERR_SERVICE_ERROR);
  EXPECT_NE(message.find(broken + ":1"), std::string::npos) << message;
  std::lock_guard lock(logged.mu);
  EXPECT_TRUE(logged.lines.empty()) << logged.lines[0].second;
}

}  // namespace
}  // namespace ncp::testing
