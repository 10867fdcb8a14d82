// NCP_StartChildProgram in normal mode: what the program is started with (argv, environment,
// directory, fds at chosen numbers and no others), the synchronous errors, and that it is an
// ordinary child of the registry (exit callbacks, kill, the 512 limit).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "core/child_test_support.h"
#include "core/program_test_support.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

constexpr char kProbe[] = NCP_TEST_PROGRAM_PROBE;

struct ProgramRun {
  int code = -1;
  int32_t pid = 0;
  std::string out;  // what it wrote to its fd 1
};

// Starts the probe with its stdout on a pipe (plus `extra` placements) and reads to EOF.
ProgramRun RunProbe(std::vector<std::string> argv, std::vector<std::string>* envp = nullptr,
                    Ability_ChildProcessConfigs* configs = nullptr,
                    std::vector<NCP_ChildFdPlacement> extra = {}) {
  Pipe out = MakePipe();
  extra.push_back({out.write.get(), 1});
  std::vector<char*> args = CStrings(argv);
  std::vector<char*> env;
  if (envp != nullptr) env = CStrings(*envp);
  ProgramRun run;
  run.code = NCP_StartChildProgram(kProbe, args.data(), envp != nullptr ? env.data() : nullptr,
                                   configs, extra.data(), extra.size(), &run.pid);
  out.write.reset();
  if (run.code == NCP_NO_ERROR) run.out = ReadAll(out.read.get());
  return run;
}

TEST(ChildProgram, SeesItsOwnArgvEnvironmentAndWorkingDirectory) {
  ExitWatcher watcher;
  TempDir dir;
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  ASSERT_EQ(NCP_ChildProcessConfigs_SetWorkingDirectory(configs, dir.path().c_str()), NCP_NO_ERROR);
  std::vector<std::string> env{"NCP_PROGRAM_TEST=one two", "EMPTY="};
  ProgramRun run = RunProbe({"probe-zero", "first arg", ""}, &env, configs);
  OH_Ability_DestroyChildProcessConfigs(configs);
  ASSERT_EQ(run.code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  auto seen = ParseProgramOutput(run.out);
  EXPECT_EQ(seen["argv"], (std::vector<std::string>{"probe-zero", "first arg", ""}));
  EXPECT_EQ(seen["env"], env) << "the environment is exactly envp";
  EXPECT_EQ(seen["cwd"], std::vector<std::string>{dir.path()});
  EXPECT_EQ(watcher.Wait(run.pid).exitCode, 0);
}

TEST(ChildProgram, NullArgvAndEnvpMeanThePathAndTheCallersEnvironmentAndDirectory) {
  ExitWatcher watcher;
  ASSERT_EQ(setenv("NCP_PROGRAM_TEST_INHERITED", "yes", 1), 0);
  Pipe out = MakePipe();
  NCP_ChildFdPlacement stdout_fd{out.write.get(), 1};
  int32_t pid = 0;
  ASSERT_EQ(NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, &stdout_fd, 1, &pid),
            NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  out.write.reset();
  auto seen = ParseProgramOutput(ReadAll(out.read.get()));
  unsetenv("NCP_PROGRAM_TEST_INHERITED");
  EXPECT_EQ(seen["argv"], std::vector<std::string>{kProbe});
  const auto& env = seen["env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "NCP_PROGRAM_TEST_INHERITED=yes"), env.end());
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  EXPECT_EQ(seen["cwd"], std::vector<std::string>{cwd});
  watcher.Wait(pid);
}

TEST(ChildProgram, FdsSitAtTheChosenNumbersAndNoOtherFdIsOpen) {
  ExitWatcher watcher;
  Pipe five = MakePipe();
  Pipe nine = MakePipe();
  ASSERT_EQ(write(five.write.get(), "for five", 8), 8);
  ASSERT_EQ(write(nine.write.get(), "for nine", 8), 8);
  five.write.reset();
  nine.write.reset();
  // An unrelated open fd of ours must not reach the program.
  base::UniqueFd unrelated(open("/dev/null", O_RDONLY));
  ASSERT_TRUE(unrelated.valid());
  // Placed the "wrong way round" (the fd that sits at 9 here becomes 5 and the other way), so
  // one placement cannot clobber the other's source.
  // The highest number a placement may name works too.
  base::UniqueFd highest(open("/dev/null", O_RDONLY | O_CLOEXEC));
  ProgramRun run = RunProbe(
      {"probe", "read:5", "read:9"}, nullptr, nullptr,
      {{nine.read.get(), 9}, {five.read.get(), 5}, {highest.get(), NCP_PROGRAM_FD_LIMIT - 1}});
  ASSERT_EQ(run.code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  auto seen = ParseProgramOutput(run.out);
  EXPECT_EQ(seen["fds"], std::vector<std::string>{"0 1 2 5 9 999"});
  EXPECT_EQ(seen["fd5"], std::vector<std::string>{"for five"});
  EXPECT_EQ(seen["fd9"], std::vector<std::string>{"for nine"});
  watcher.Wait(run.pid);
}

TEST(ChildProgram, AnFdPlacedAtZeroBecomesItsStdin) {
  ExitWatcher watcher;
  Pipe in = MakePipe();
  ASSERT_EQ(write(in.write.get(), "stdin text", 10), 10);
  in.write.reset();
  ProgramRun run = RunProbe({"probe", "read:0"}, nullptr, nullptr, {{in.read.get(), 0}});
  ASSERT_EQ(run.code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(ParseProgramOutput(run.out)["fd0"], std::vector<std::string>{"stdin text"});
  watcher.Wait(run.pid);
}

TEST(ChildProgram, BothKindsOfExitCallbackReportItsEnd) {
  static std::mutex mu;
  static std::vector<std::pair<int32_t, int32_t>> oh_calls;
  auto oh_callback = [](int32_t pid, int32_t signal) {
    std::lock_guard lock(mu);
    oh_calls.emplace_back(pid, signal);
  };
  ASSERT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(oh_callback), NCP_NO_ERROR);
  ExitWatcher watcher;
  ProgramRun exits = RunProbe({"probe", "exit:7"});
  ProgramRun killed = RunProbe({"probe", "signal:15"});
  ASSERT_EQ(exits.code, NCP_NO_ERROR);
  ASSERT_EQ(killed.code, NCP_NO_ERROR);
  NCP_ChildExitInfo exited = watcher.Wait(exits.pid);
  EXPECT_EQ(exited.exitCode, 7);
  EXPECT_EQ(exited.signal, 0);
  NCP_ChildExitInfo signalled = watcher.Wait(killed.pid);
  EXPECT_EQ(signalled.exitCode, -1);
  EXPECT_EQ(signalled.signal, SIGTERM);
  // Registered first, the OpenHarmony callback ran before the watcher's for the same end.
  ASSERT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(oh_callback), NCP_NO_ERROR);
  std::lock_guard lock(mu);
  EXPECT_NE(std::find(oh_calls.begin(), oh_calls.end(), std::make_pair(exits.pid, 0)),
            oh_calls.end());
  EXPECT_NE(std::find(oh_calls.begin(), oh_calls.end(), std::make_pair(killed.pid, SIGTERM)),
            oh_calls.end());
}

TEST(ChildProgram, KillChildProcessEndsIt) {
  ExitWatcher watcher;
  Pipe never = MakePipe();  // the probe blocks reading it until killed
  Pipe out = MakePipe();
  std::vector<std::string> argv{"probe", "read:5"};
  std::vector<char*> args = CStrings(argv);
  NCP_ChildFdPlacement fds[] = {{never.read.get(), 5}, {out.write.get(), 1}};
  int32_t pid = 0;
  ASSERT_EQ(NCP_StartChildProgram(kProbe, args.data(), nullptr, nullptr, fds, 2, &pid),
            NCP_NO_ERROR);
  ASSERT_EQ(OH_Ability_KillChildProcess(pid), NCP_NO_ERROR);
  EXPECT_EQ(watcher.Wait(pid).signal, SIGKILL);
}

TEST(ChildProgram, AMissingProgramFailsTheCallItselfWithInvalidParam) {
  int32_t pid = -42;
  EXPECT_EQ(NCP_StartChildProgram("/nonexistent/ncp-program", nullptr, nullptr, nullptr, nullptr, 0,
                                  &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(pid, -42);
  EXPECT_EQ(std::string(NCP_GetLastErrorMessage()),
            "the program cannot be executed: No such file or directory");
}

TEST(ChildProgram, AFileWithoutExecutePermissionFailsWithInvalidParam) {
  TempDir dir;
  const std::string file = dir.path() + "/not-executable";
  std::ofstream(file) << "#!/bin/sh\nexit 0\n";
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  int32_t pid = -42;
  EXPECT_EQ(NCP_StartChildProgram(file.c_str(), nullptr, nullptr, nullptr, nullptr, 0, &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(pid, -42);
  EXPECT_EQ(std::string(NCP_GetLastErrorMessage()),
            "the program cannot be executed: Permission denied");
}

TEST(ChildProgram, AWorkingDirectoryThatCannotBeEnteredFailsWithInvalidParam) {
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  ASSERT_EQ(NCP_ChildProcessConfigs_SetWorkingDirectory(configs, "/nonexistent/ncp-dir"),
            NCP_NO_ERROR);
  int32_t pid = -42;
  EXPECT_EQ(NCP_StartChildProgram(kProbe, nullptr, nullptr, configs, nullptr, 0, &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(pid, -42);
  EXPECT_EQ(std::string(NCP_GetLastErrorMessage()),
            "the program's working directory cannot be entered: No such file or directory");
  OH_Ability_DestroyChildProcessConfigs(configs);
}

// In an application that closed its stdin, stdout and stderr, the library's own fds (the fork
// server's socket and pidfd, the epoll fd, each child's pidfd, the umask's status file) take
// none of those numbers: the application's next opens get them back, and a closed 0 handed to
// NCP_StartChildProgram is refused instead of passing on one of the library's fds. Runs in a
// forked copy of this process (a fresh registry), which reports a letter per failed check.
TEST(ChildProgram, TheLibrarysFdsStayOffTheStandardNumbersOfAnApplicationThatClosedThem) {
  Pipe answer = MakePipe();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int report = answer.write.get();
    Pipe out = MakePipe();  // before 0-2 are closed: the test's own fds stay off them too
    std::string failed;
    ExitWatcher watcher;
    FdList fds;
    fds.Add("out", out.write.get());
    for (int fd = 0; fd <= 2; ++fd) close(fd);
    int32_t child = 0;
    if (StartEntry("EchoParams", "x", &fds, &child) != NCP_NO_ERROR) failed += 'S';
    out.write.reset();
    if (ReadAll(out.read.get()) != "x") failed += 'E';
    out.read.reset();
    watcher.Wait(child);
    for (int fd = 0; fd <= 2; ++fd) {
      if (fcntl(fd, F_GETFD) != -1) failed += static_cast<char>('0' + fd);
    }
    NCP_ChildFdPlacement closed_stdin[] = {{0, 5}};
    int32_t program = -42;
    if (NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, closed_stdin, 1, &program) !=
        NCP_ERR_INVALID_PARAM) {
      failed += 'P';
    }
    failed += '.';
    _exit(write(report, failed.data(), failed.size()) == static_cast<ssize_t>(failed.size()) ? 0
                                                                                             : 1);
  }
  answer.write.reset();
  EXPECT_EQ(ReadAll(answer.read.get()), ".")
      << "S: start failed, E: no output, 0-2: a library fd took that number, P: program accepted";
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
}

TEST(ChildProgram, ArgumentChecks) {
  int32_t pid = -42;
  EXPECT_EQ(NCP_StartChildProgram(nullptr, nullptr, nullptr, nullptr, nullptr, 0, &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_StartChildProgram("bin/true", nullptr, nullptr, nullptr, nullptr, 0, &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_STREQ(NCP_GetLastErrorMessage(), "path is NULL or not an absolute path");
  EXPECT_EQ(NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, nullptr, 0, nullptr),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, nullptr, 1, &pid),
            NCP_ERR_INVALID_PARAM);
  NCP_ChildFdPlacement twice[] = {{1, 5}, {2, 5}};
  EXPECT_EQ(NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, twice, 2, &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_STREQ(NCP_GetLastErrorMessage(), "childFd 5 is placed twice");
  NCP_ChildFdPlacement out_of_range[] = {{1, NCP_PROGRAM_FD_LIMIT}};
  EXPECT_EQ(NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, out_of_range, 1, &pid),
            NCP_ERR_INVALID_PARAM);
  NCP_ChildFdPlacement negative[] = {{1, -1}};
  EXPECT_EQ(NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, negative, 1, &pid),
            NCP_ERR_INVALID_PARAM);
  std::vector<NCP_ChildFdPlacement> many;
  for (int i = 0; i <= NCP_MAX_PROGRAM_FDS; ++i) many.push_back({1, 3 + i});
  EXPECT_EQ(
      NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, many.data(), many.size(), &pid),
      NCP_ERR_INVALID_PARAM);
  base::UniqueFd closed(open("/dev/null", O_RDONLY));
  const int closed_number = closed.get();
  closed.reset();
  NCP_ChildFdPlacement not_open[] = {{closed_number, 5}};
  EXPECT_EQ(NCP_StartChildProgram(kProbe, nullptr, nullptr, nullptr, not_open, 1, &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(pid, -42);
  EXPECT_EQ(NCP_ChildProcessConfigs_SetWorkingDirectory(nullptr, "/"), NCP_ERR_INVALID_PARAM);
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  EXPECT_EQ(NCP_ChildProcessConfigs_SetWorkingDirectory(configs, nullptr), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_ChildProcessConfigs_SetWorkingDirectory(configs, "relative"),
            NCP_ERR_INVALID_PARAM);
  OH_Ability_DestroyChildProcessConfigs(configs);
}

TEST(ChildProgram, ProgramsCountTowardTheLimitOf512Children) {
  ExitWatcher watcher;
  std::vector<int32_t> pids;
  for (int i = 0; i < 511; ++i) {
    int32_t pid = 0;
    ASSERT_EQ(StartEntry("Sleep", nullptr, nullptr, &pid), NCP_NO_ERROR)
        << "child " << i << ": " << NCP_GetLastErrorMessage();
    pids.push_back(pid);
  }
  Pipe never = MakePipe();
  std::vector<std::string> argv{"probe", "read:5"};
  std::vector<char*> args = CStrings(argv);
  NCP_ChildFdPlacement fds[] = {{never.read.get(), 5}};
  int32_t pid = 0;
  ASSERT_EQ(NCP_StartChildProgram(kProbe, args.data(), nullptr, nullptr, fds, 1, &pid),
            NCP_NO_ERROR);
  pids.push_back(pid);
  int32_t refused = -42;
  EXPECT_EQ(NCP_StartChildProgram(kProbe, args.data(), nullptr, nullptr, fds, 1, &refused),
            NCP_ERR_MAX_CHILD_PROCESSES_REACHED);
  EXPECT_EQ(refused, -42);
  for (int32_t p : pids) EXPECT_EQ(OH_Ability_KillChildProcess(p), NCP_NO_ERROR);
  for (int32_t p : pids) EXPECT_EQ(watcher.Wait(p).signal, SIGKILL);
}

}  // namespace
}  // namespace ncp::testing
