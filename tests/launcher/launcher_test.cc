// ncp-launch end to end: exit status mirroring, the sandbox as the program sees it, and the
// errors that must stop a start before anything runs.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "run_launcher.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

// The program form allows the exec set itself (execve, execveat, arch_prctl); a shell that
// forks and waits also needs these.
std::vector<std::string> Sandboxed(std::vector<std::string> command) {
  std::vector<std::string> args = {"--profile", ShippedProfile("default"), "--seccomp-allow",
                                   "vfork, wait4"};
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

std::vector<std::string> Shell(const std::string& script) {
  return Sandboxed({"--", "/bin/sh", "-c", script});
}

TEST(Launcher, VersionAndHelp) {
  LauncherRun version = RunLauncher({"--version"});
  EXPECT_EQ(version.exit_code(), 0);
  EXPECT_NE(version.out.find("ncp-launch "), std::string::npos);
  LauncherRun help = RunLauncher({"--help"});
  EXPECT_EQ(help.exit_code(), 0);
  EXPECT_NE(help.out.find("--unshare-net"), std::string::npos);
}

TEST(Launcher, CheckPrintsThePlanAndStartsNothing) {
  LauncherRun run = RunLauncher({"--profile", ShippedProfile("default"), "--check"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(run.out.find("namespaces: user pid net"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("seccomp:"), std::string::npos) << run.out;
}

TEST(Launcher, BrokenProfileNamesFileAndLineAndStartsNothing) {
  TempDir dir;
  const std::string profile = dir.path() + "/broken.profile";
  const std::string marker = dir.path() + "/started";
  std::ofstream(profile) << "unshare-all\nfrobnicate = 1\n";
  LauncherRun run = RunLauncher({"--profile", profile, "--", "/bin/touch", marker});
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("broken.profile:2:"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(Launcher, NothingToRunIsALauncherError) {
  EXPECT_EQ(RunLauncher({"--profile", ShippedProfile("default")}).exit_code(), 125);
}

TEST(Launcher, TrueExitsZero) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher(Sandboxed({"--", "/bin/true"}));
  EXPECT_EQ(run.exit_code(), 0) << run.err;
}

TEST(Launcher, DefaultProfileRunsAProgramAsIs) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher({"--profile", "default", "--", "/bin/true"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  LauncherRun env = RunLauncher({"--profile", "default", "--", "/usr/bin/env"});
  EXPECT_EQ(env.exit_code(), 0) << env.err;
  EXPECT_EQ(env.out, "PATH=/usr/bin:/bin\nLANG=C.UTF-8\n");
}

// The implicit exec set comes before the profiles, so a profile that resets the rules or
// refuses execve still wins.
TEST(Launcher, ExecSetGivesWayToLaterRules) {
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(RunLauncher({"--profile", "strict", "--", "/bin/true"}).exit_code(), 126);
  LauncherRun killed =
      RunLauncher({"--profile", "default", "--seccomp-kill", "execve", "--", "/bin/true"});
  ASSERT_TRUE(killed.signaled()) << killed.err;
  EXPECT_EQ(killed.signal(), SIGSYS);
}

TEST(Launcher, EachShippedProfileRunsAProgram) {
  NCP_REQUIRE_USERNS();
  for (const char* profile : {"default", "network", "audit"}) {
    LauncherRun run = RunLauncher({"--profile", profile, "--", "/bin/true"});
    EXPECT_EQ(run.exit_code(), 0) << profile << ": " << run.err;
  }
}

TEST(Launcher, DockerDefaultProfileRunsAProgram) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher({"--unshare-all", "--ro-bind", "/usr", "--ro-bind-try", "/lib",
                                 "--ro-bind-try", "/lib64", "--ro-bind-try", "/bin",
                                 "--seccomp-oci", NCP_SOURCE_DIR "/tests/data/docker-default.json",
                                 "--", "/bin/sh", "-c", "grep Seccomp: /proc/self/status"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "Seccomp:\t2\n");
}

TEST(Launcher, VerboseTimesParentAndChildSteps) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher({"--verbose", "--profile", "default", "--", "/bin/true"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  // Root's sandbox runs as a leased host id, whose maps the parent writes (host_ids.h).
  const char* id_maps = geteuid() == 0 ? "parent write-id-maps" : "child  write-own-id-maps";
  for (const char* step :
       {"parent resolve-and-load-filter", "parent clone", id_maps, "child  build-rootfs",
        "child  install-seccomp", "parent child-setup-until-exec"}) {
    EXPECT_NE(run.err.find(step), std::string::npos) << step << "\n" << run.err;
  }
}

// Bare profile names: the source tree's profiles/ from the build tree, and
// <exe_dir>/../share/ncp/profiles for a copy elsewhere (a relocated install).
TEST(Launcher, ProfilesAreFoundRelativeToTheBinary) {
  EXPECT_EQ(RunLauncher({"--profile", "default", "--check"}).exit_code(), 0);
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/bin");
  std::filesystem::create_directories(dir.path() + "/share/ncp/profiles");
  std::filesystem::copy_file(NCP_LAUNCH_PATH, dir.path() + "/bin/ncp-launch");
  std::ofstream(dir.path() + "/share/ncp/profiles/only-here.profile") << "unshare-user\n";
  RunOptions relocated;
  relocated.binary = dir.path() + "/bin/ncp-launch";
  LauncherRun run = RunLauncher({"--profile", "only-here", "--check"}, relocated);
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(run.out.find("namespaces: user"), std::string::npos) << run.out;
}

TEST(Launcher, NoSeccompWarningPointsAtItsOwnLine) {
  TempDir dir;
  const std::string profile = dir.path() + "/p.profile";
  std::ofstream(profile) << "unshare-user\nseccomp-allow = read\n";
  LauncherRun run = RunLauncher({"--profile", profile, "--no-seccomp", "--check"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(run.err.find("command line: warning: no-seccomp"), std::string::npos) << run.err;
}

TEST(Launcher, ExitCodeIsMirrored) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher(Shell("exit 7"));
  EXPECT_EQ(run.exit_code(), 7) << run.err;
}

TEST(Launcher, SignalDeathIsMirrored) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher(Shell("kill -SEGV $$"));
  ASSERT_TRUE(run.signaled()) << "status " << run.wait_status << " " << run.err;
  EXPECT_EQ(run.signal(), SIGSEGV);
  EXPECT_FALSE(WCOREDUMP(run.wait_status));
}

TEST(Launcher, ProgramRunsWithoutCapabilitiesWithNoNewPrivsAndSeccomp) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher(Shell("cat /proc/self/status"));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(run.out.find("CapEff:\t0000000000000000"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("CapBnd:\t0000000000000000"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("NoNewPrivs:\t1"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Seccomp:\t2"), std::string::npos) << run.out;
}

// What the program leaves running ends with it. The sandbox's init leaves only after the
// launcher has (so tearing the namespaces down never delays the caller): killed by its
// parent-death signal, or at worst after a 2 s guard. Its death kills everything left in the
// namespace. Here a background sleep holds the launcher's stdout, which the run reads to EOF:
// the read ends once the sleep is dead, well before that guard.
TEST(Launcher, BackgroundProcessesEndRightAfterTheProgram) {
  NCP_REQUIRE_USERNS();
  const auto started = std::chrono::steady_clock::now();
  LauncherRun run = RunLauncher(Shell("sleep 100 & exit 3"));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.exit_code(), 3) << run.err;
  EXPECT_LT(took, std::chrono::milliseconds(1500))
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
}

TEST(Launcher, ProgramIsInItsOwnPidNamespace) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher(Shell("echo $$"));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_TRUE(run.out == "1\n" || run.out == "2\n") << run.out;
}

TEST(Launcher, HostnameIsSet) {
  NCP_REQUIRE_USERNS();
  std::vector<std::string> args = {"--hostname", "sandbox-box"};
  std::vector<std::string> shell = Shell("cat /proc/sys/kernel/hostname");
  args.insert(args.begin(), shell.begin(), shell.end() - 4);  // options before "--"
  args.insert(args.end(), shell.end() - 4, shell.end());
  LauncherRun run = RunLauncher(args);
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "sandbox-box\n");
}

TEST(Launcher, RootIsReadOnlyAndHostTmpIsHidden) {
  NCP_REQUIRE_USERNS();
  TempDir dir;  // under the host's $TMPDIR
  std::ofstream(dir.path() + "/secret") << "x";
  LauncherRun run =
      RunLauncher(Shell("test -e " + dir.path() +
                        "/secret && echo visible; (echo > /usr/x) 2>/dev/null && "
                        "echo usr-writable; mkdir /newdir 2>/dev/null && echo root-writable; "
                        "echo > /tmp/ok && echo tmp-writable"));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "tmp-writable\n");
}

// CVE-2019-5736: nothing inside may reach the launcher's own binary through /proc/<pid>/exe,
// neither the pid namespace's init (a forked launcher) nor, without a pid namespace, the parent.
TEST(Launcher, LauncherBinaryIsNotReachableThroughProc) {
  NCP_REQUIRE_USERNS();
  LauncherRun with_pid_ns = RunLauncher(Shell("cat /proc/1/exe >/dev/null 2>&1 && echo readable"));
  EXPECT_EQ(with_pid_ns.out, "");
  LauncherRun without_pid_ns = RunLauncher(
      {"--unshare-user", "--unshare-mount", "--ro-bind", "/usr", "--ro-bind-try", "/lib",
       "--ro-bind-try", "/lib64", "--ro-bind-try", "/bin", "--", "/bin/sh", "-c",
       "test $PPID -gt 1 && echo has-parent; cat /proc/$PPID/exe >/dev/null 2>&1 && echo "
       "readable"});
  EXPECT_EQ(without_pid_ns.out, "has-parent\n") << without_pid_ns.err;
}

TEST(Launcher, TerminationSignalReachesTheProgramAndIsMirrored) {
  NCP_REQUIRE_USERNS();
  RunOptions options;
  options.signal_when_ready = SIGTERM;
  // The shell is not pid 1 (init is), so SIGTERM's default action applies to it.
  LauncherRun run = RunLauncher(Shell("echo ready; while :; do :; done"), options);
  ASSERT_TRUE(run.signaled()) << "status " << run.wait_status << " " << run.err;
  EXPECT_EQ(run.signal(), SIGTERM);
}

TEST(Launcher, RefusedUserNamespaceIsOneLineAndExit125) {
  RunOptions options;
  options.deny_user_namespaces = true;
  LauncherRun run = RunLauncher(Sandboxed({"--", "/bin/true"}), options);
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("ncp-launch: cannot create a user namespace (Operation not permitted): "),
            std::string::npos)
      << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  // The refusal came from a filter on ncp-launch: the line names that cause and the fix.
  EXPECT_NE(run.err.find("a seccomp filter on ncp-launch refuses it"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("--security-opt seccomp="), std::string::npos) << run.err;
}

TEST(Launcher, MissingProgramExits127) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher(Sandboxed({"--", "/no/such/program"}));
  EXPECT_EQ(run.exit_code(), 127);
  EXPECT_NE(run.err.find("exec: cannot run /no/such/program"), std::string::npos) << run.err;
}

TEST(Launcher, NonExecutableProgramExits126) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher(Sandboxed({"--", "/etc/ld.so.cache"}));
  EXPECT_EQ(run.exit_code(), 126) << run.err;
}

TEST(Launcher, FailedSetupStepIsNamedAndExits125) {
  NCP_REQUIRE_USERNS();
  std::vector<std::string> args = {"--ro-bind", "/no/such/dir:/x"};
  std::vector<std::string> rest = Sandboxed({"--", "/bin/true"});
  args.insert(args.begin(), rest.begin(), rest.end() - 2);
  args.insert(args.end(), rest.end() - 2, rest.end());
  LauncherRun run = RunLauncher(args);
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("build-rootfs"), std::string::npos) << run.err;
}

TEST(Launcher, WorksAsAnUnprivilegedUser) {
  NCP_REQUIRE_USERNS();
  if (geteuid() != 0) GTEST_SKIP() << "already unprivileged; every other test covers this";
  RunOptions options;
  options.as_nobody = true;
  LauncherRun run = RunLauncher(Shell("grep CapEff /proc/self/status; exit 5"), options);
  EXPECT_EQ(run.exit_code(), 5) << run.err;
  EXPECT_NE(run.out.find("CapEff:\t0000000000000000"), std::string::npos) << run.out;
}

TEST(Launcher, RefusesASetuidCopyOfItself) {
  TempDir dir;
  const std::string copy = dir.path() + "/ncp-launch";
  std::filesystem::copy_file(NCP_LAUNCH_PATH, copy);
  ASSERT_EQ(chmod(copy.c_str(), 04755), 0);
  RunOptions options;
  options.binary = copy;
  LauncherRun run = RunLauncher({"--version"}, options);
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("setuid"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace ncp::testing

namespace ncp::testing {
namespace {

// A quiet program leaves stderr empty, in every build, as root and as an unprivileged user.
// The program's last steps run on a stack of init's own (init.cc) until its exec; a sanitizer
// not told of that switch prints warnings on the program's stderr (ASan: "ignoring requested
// __asan_handle_no_return") and may report false errors.
TEST(Launcher, AQuietProgramLeavesStderrEmptyInEveryBuild) {
  NCP_REQUIRE_USERNS();
  for (bool as_nobody : {false, true}) {
    if (as_nobody && geteuid() != 0) continue;
    RunOptions options;
    options.as_nobody = as_nobody;
    LauncherRun run = RunLauncher({"--profile", "default", "--", "/bin/echo", "quiet"}, options);
    EXPECT_EQ(run.exit_code(), 0) << run.err;
    EXPECT_EQ(run.out, "quiet\n");
    EXPECT_EQ(run.err, "") << (as_nobody ? "as nobody" : "as root");
  }
}

}  // namespace
}  // namespace ncp::testing
