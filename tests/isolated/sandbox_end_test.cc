// Issue 12: why an isolated child ended reaches the application. The exit record's cause: a
// plain exit, a signal, the kernel's resource limits (SIGXCPU), and the profile's wall-clock
// time limit, under which the whole sandbox is killed and OpenHarmony's exit callback sees
// signal 9.
#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "isolated/isolated_support.h"

namespace ncp::testing {
namespace {

TEST(SandboxEnd, APlainExitAndASignalSayWhatTheWaitStatusSays) {
  NCP_REQUIRE_USERNS();
  IsolatedRun exited = RunIsolated("ExitWith", "3", ShippedProfile("default"));
  EXPECT_EQ(exited.exit.exitCode, 3);
  EXPECT_EQ(exited.exit.cause, NCP_EXIT_CAUSE_EXITED);
  EXPECT_EQ(exited.exit.syscallNumber, -1);
  EXPECT_STREQ(exited.exit.syscallName, "");
  EXPECT_STREQ(exited.exit.profileLine, "");
  IsolatedRun crashed = RunIsolated("CrashSegv", "", ShippedProfile("default"));
  EXPECT_EQ(crashed.exit.signal, SIGSEGV);
  EXPECT_EQ(crashed.exit.cause, NCP_EXIT_CAUSE_SIGNAL);
}

// The children of this process, with their names (/proc/self/task/*/children).
std::map<pid_t, std::string> ChildrenOfThisProcess() {
  std::map<pid_t, std::string> out;
  DIR* tasks = opendir("/proc/self/task");
  while (dirent* task = readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    std::ifstream list(std::string("/proc/self/task/") + task->d_name + "/children");
    for (pid_t pid; list >> pid;) {
      std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
      std::getline(comm, out[pid]);
    }
  }
  closedir(tasks);
  return out;
}

// ncp-launch returns on its sandbox's report and exits before the sandbox's init does. That
// init, orphaned then, must not come to the application, even one that is a subreaper (or the
// pid 1 of a container), which would have to reap processes it never started: the fork server
// is the subreaper of everything it starts.
TEST(SandboxEnd, NoProcessOfASandboxIsLeftToAnApplicationThatIsASubreaper) {
  NCP_REQUIRE_USERNS();
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  for (int i = 0; i < 3; ++i) {
    IsolatedRun run = RunIsolated("EchoParams", "x", ShippedProfile("default"));
    EXPECT_EQ(run.exit.exitCode, 0) << i;
  }
  usleep(300 * 1000);  // the sandboxes' inits end after their launchers
  for (const auto& [pid, name] : ChildrenOfThisProcess()) {
    EXPECT_EQ(name, "ncp-forkserver") << "pid " << pid << " came to the application";
    if (name != "ncp-forkserver") waitpid(pid, nullptr, WNOHANG);
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

TEST(SandboxEnd, TheTimeLimitKillsTheSandboxAndTheCallbacksSayWhy) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile =
      WriteProfile(dir, "limited.profile", "include = default\ntime-limit = 0.3\n");
  OhExitCallback oh_exits;
  IsolatedRun run = RunIsolated("Sleep", "", profile);
  EXPECT_EQ(run.exit.exitCode, -1);
  EXPECT_EQ(run.exit.signal, SIGKILL);
  EXPECT_EQ(run.exit.cause, NCP_EXIT_CAUSE_TIME_LIMIT);
  EXPECT_EQ(oh_exits.SignalFor(run.pid), SIGKILL);
}

TEST(SandboxEnd, AChildThatEndsInTimeIsNotTouchedByTheLimit) {
  NCP_REQUIRE_USERNS();
  // Also when it is served by a warm sandbox that waited in the pool for longer than the limit:
  // the limit counts from the request (red team). The first start of the shape fills the pool.
  // The limit leaves room for a loaded machine (CI runs two tests at a time, some of them
  // balloons and fork bombs): a 0.3 s limit once ended a start that was merely slow.
  TempDir dir;
  const std::string profile =
      WriteProfile(dir, "limited.profile", "include = default\ntime-limit = 1.5\n");
  for (int i = 0; i < 2; ++i) {
    IsolatedRun quick = RunIsolated("EchoParams", "in time", profile);
    EXPECT_EQ(quick.out, "in time") << i;
    EXPECT_EQ(quick.exit.cause, NCP_EXIT_CAUSE_EXITED) << i;
    EXPECT_EQ(quick.exit.exitCode, 0) << i;
    if (i == 0) usleep(2000 * 1000);
  }
}

TEST(SandboxEnd, ASeccompKillNamesTheCallAndTheProfileLine) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile =
      WriteProfile(dir, "kill.profile", "include = default\nseccomp-kill = ptrace\n");
  OhExitCallback oh_exits;
  // Cold, then from the pool: a warm sandbox gets its socket to the supervisor at a fixed number.
  for (int i = 0; i < 2; ++i) {
    IsolatedRun run =
        RunIsolated("Probe", "pid;syscall:" + std::to_string(SYS_ptrace) + ";pid", profile);
    EXPECT_EQ(run.out, "pid=2\n") << i;
    EXPECT_EQ(run.exit.signal, SIGSYS) << i;
    EXPECT_EQ(run.exit.cause, NCP_EXIT_CAUSE_SECCOMP) << i;
    EXPECT_EQ(run.exit.syscallNumber, SYS_ptrace) << i;
    EXPECT_STREQ(run.exit.syscallName, "ptrace") << i;
    EXPECT_EQ(std::string(run.exit.profileLine), profile + ":2") << i;
    EXPECT_EQ(oh_exits.SignalFor(run.pid), SIGSYS) << i;
  }
  // Allowed calls go on as before.
  IsolatedRun fine = RunIsolated("Probe", "syscall:" + std::to_string(SYS_getpid), profile);
  EXPECT_EQ(fine.out, "syscall:" + std::to_string(SYS_getpid) + "=ok\n");
  EXPECT_EQ(fine.exit.cause, NCP_EXIT_CAUSE_EXITED);
}

TEST(SandboxEnd, TheKernelsCpuLimitIsAResourceLimit) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile =
      WriteProfile(dir, "cpu.profile", "include = default\nrlimit = cpu=1:5\n");
  IsolatedRun run = RunIsolated("SpinCpu", "4000", profile);
  EXPECT_EQ(run.exit.signal, SIGXCPU);
  EXPECT_EQ(run.exit.cause, NCP_EXIT_CAUSE_RESOURCE_LIMIT);
}

}  // namespace
}  // namespace ncp::testing
