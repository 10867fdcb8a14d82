// ncp-launch's LIB.so:ENTRY form and request mode, end to end: what the entry can and cannot do
// inside each shipped profile, how its end reaches the caller, and the fds it gets.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "base/isolation_uid.h"
#include "core/protocol/wire.h"
#include "run_launcher.h"
#include "testing/loopback_listener.h"
#include "testing/probe_output.h"
#include "testing/processes.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

const std::string kEntries = NCP_TEST_ENTRIES_PATH;

// ncp-launch --profile PROFILE [options...] entries.so:Probe --params PROBES. The entry has no
// fd named "out", so its "probe=result" lines go to its stdout, which is ncp-launch's.
LauncherRun Probe(const std::string& profile, const std::string& probes,
                  std::vector<std::string> options = {}, const RunOptions& run = {}) {
  std::vector<std::string> args = {"--profile", ShippedProfile(profile)};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back(kEntries + ":Probe");
  args.push_back("--params");
  args.push_back(probes);
  return RunLauncher(args, run);
}

// The result of `probe` when the run wrote exactly its one line "probe=result", else all the
// run wrote (which no expected result equals, and which the failure message then shows).
std::string OneResult(const LauncherRun& run, const std::string& probe) {
  const std::string prefix = probe + "=";
  const bool one_line = run.out.rfind(prefix, 0) == 0 && !run.out.empty() &&
                        run.out.back() == '\n' && run.out.find('\n') == run.out.size() - 1;
  return one_line ? run.out.substr(prefix.size(), run.out.size() - prefix.size() - 1) : run.out;
}

// Runs the single probe `probe` and returns its result (see OneResult).
std::string ProbeResult(const std::string& profile, const std::string& probe,
                        std::vector<std::string> options = {}, const RunOptions& run = {}) {
  return OneResult(Probe(profile, probe, std::move(options), run), probe);
}

TEST(Entry, ReturnsZeroAndGetsItsParams) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher({"--profile", ShippedProfile("default"), "--fd", "out=1",
                                 kEntries + ":EchoParams", "--params", "hello there"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "hello there");
}

// The filter goes on after the library is loaded, when its constructor may already have started
// threads: every thread of the process gets it (TSYNC), not only the one that installs it.
TEST(Entry, AThreadTheLibraryStartedBeforeTheFilterIsFilteredToo) {
  NCP_REQUIRE_USERNS();
  const std::string ptrace = std::to_string(SYS_ptrace);
  LauncherRun run =
      RunLauncher({"--profile", ShippedProfile("default"),
                   std::string(NCP_CONSTRUCTOR_THREAD_PATH) + ":ConstructorThreadSyscall",
                   "--params", ptrace});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  // Unfiltered, ptrace(-1, ...) would fail in the kernel with ESRCH.
  EXPECT_EQ(run.out, "constructor-thread:" + ptrace + "=EPERM\n");
}

TEST(Entry, IsPid2UnderInitAndSeesNoHostPid) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = Probe("default", "pid");
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(OneResult(run, "pid"), "2");
  const std::string own = "open:/proc/" + std::to_string(getpid()) + "/status";
  LauncherRun hidden = Probe("default", own);
  EXPECT_EQ(OneResult(hidden, own), "ENOENT") << hidden.err;
}

TEST(Entry, Hostname) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = Probe("default", "hostname", {"--hostname", "entry-box"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(OneResult(run, "hostname"), "entry-box");
}

TEST(Entry, HostLoopbackListenerIsUnreachableWithoutNetworkAndReachableWithIt) {
  NCP_REQUIRE_USERNS();
  LoopbackListener listener;
  ASSERT_NE(listener.port(), 0);
  const std::string probe = "connect:" + std::to_string(listener.port());
  // Sockets allowed, so the refusal comes from the empty network namespace, not the filter.
  LauncherRun isolated = Probe("default", probe, {"--seccomp-allow", "socket, connect"});
  EXPECT_EQ(isolated.exit_code(), 0) << isolated.err;
  EXPECT_EQ(OneResult(isolated, probe), "ECONNREFUSED");
  LauncherRun shared = Probe("network", probe);
  EXPECT_EQ(shared.exit_code(), 0) << shared.err;
  EXPECT_EQ(OneResult(shared, probe), "ok");
}

TEST(Entry, HostFilesOutsideTheBindsAreInvisibleAndReadOnlyBindsGiveErofs) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  std::ofstream(dir.path() + "/secret") << "x";
  EXPECT_EQ(ProbeResult("default", "open:" + dir.path() + "/secret"), "ENOENT");
  EXPECT_EQ(ProbeResult("default", "create:/usr/new-file"), "EROFS");
  EXPECT_EQ(ProbeResult("default", "create:/tmp/new-file"), "ok");
  EXPECT_EQ(ProbeResult("default", "open:/usr/bin/env"), "ok");
}

TEST(Entry, NoCapabilitiesNoNewPrivsAndSeccompFilter) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = Probe("default", "status");
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  auto status = ParseProbe(run.out);
  EXPECT_EQ(status["CapEff"], "0000000000000000") << run.out;
  EXPECT_EQ(status["CapPrm"], "0000000000000000") << run.out;
  EXPECT_EQ(status["CapBnd"], "0000000000000000") << run.out;
  EXPECT_EQ(status["NoNewPrivs"], "1") << run.out;
  EXPECT_EQ(status["Seccomp"], "2") << run.out;
}

// chroot((char*)-1): EFAULT when the filter lets it through, the profile's errno when not.
TEST(Entry, FilteredSyscallGetsTheProfilesErrnoWhereAnAllowedOneFails) {
  NCP_REQUIRE_USERNS();
  const std::string chroot_probe = "syscall:" + std::to_string(SYS_chroot);
  EXPECT_EQ(ProbeResult("default", chroot_probe), "EPERM");
  EXPECT_EQ(ProbeResult("default", chroot_probe, {"--seccomp-errno", "chroot:EACCES"}), "EACCES");
  EXPECT_EQ(ProbeResult("default", chroot_probe, {"--seccomp-allow", "chroot"}), "EFAULT");
  EXPECT_EQ(ProbeResult("default", "syscall:" + std::to_string(SYS_read)), "EBADF");
}

TEST(Entry, KillRuleEndsTheChildWithSigsysSeenByTheCaller) {
  NCP_REQUIRE_USERNS();
  LauncherRun run =
      Probe("default", "syscall:" + std::to_string(SYS_chroot), {"--seccomp-kill", "chroot"});
  ASSERT_TRUE(run.signaled()) << run.wait_status << " " << run.err;
  EXPECT_EQ(run.signal(), SIGSYS);
  EXPECT_EQ(run.signal(), 31);
}

#ifdef __x86_64__
TEST(Entry, X32SyscallIsKilled) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = Probe("default", "x32");
  ASSERT_TRUE(run.signaled()) << run.wait_status << " " << run.out << run.err;
  EXPECT_EQ(run.signal(), SIGSYS);
  EXPECT_EQ(run.out, "x32=calling\n") << "the probe did not get to the call, or went on past it";
}
#endif

TEST(Entry, TiocstiFails) {
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(ProbeResult("default", "tiocsti:0"), "EPERM");
  // With the ioctl let through, a terminal passed in still refuses: the sandbox has given up
  // its controlling terminal, so that terminal is not its controlling terminal.
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const std::string slave = ptsname(master);
  RunOptions options;
  options.before_exec = [&] {
    setsid();
    const int tty = open(slave.c_str(), O_RDWR);  // becomes the controlling terminal
    if (tty < 0 || dup2(tty, 0) < 0) _exit(95);
  };
  LauncherRun run = Probe("default", "tiocsti:0", {"--seccomp-allow", "ioctl"}, options);
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(OneResult(run, "tiocsti:0"), "EPERM");
  EXPECT_EQ(ProbeResult("default", "tty_nr", {}, options), "0");
  close(master);
}

// kill(0, sig) inside must not reach the caller's process group.
TEST(Entry, SandboxHasItsOwnProcessGroup) {
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(ProbeResult("default", "pgrp"), "1");
}

TEST(Entry, OnlyTheNamedFdsAreOpen) {
  NCP_REQUIRE_USERNS();
  // An extra fd the launcher has but the entry must not get.
  const int stray = open("/dev/null", O_RDONLY);
  ASSERT_GE(stray, 0);
  RunOptions options;
  options.before_exec = [] { dup2(1, 9); };
  LauncherRun run = RunLauncher({"--profile", ShippedProfile("default"), "--fd", "zz=9", "--fd",
                                 "out=1", kEntries + ":ReportFds"},
                                options);
  close(stray);
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "out=4\nzz=5\nopen: 0 1 2 4 5\n");
}

// CVE-2019-5736: the entry runs in an ncp-launch image, exec'd from a read-only bind.
TEST(Entry, ProcSelfExeDoesNotLeadToAWritableBinary) {
  NCP_REQUIRE_USERNS();
  LauncherRun write = Probe("default", "exe-write");
  EXPECT_EQ(write.exit_code(), 0) << write.err;
  EXPECT_NE(OneResult(write, "exe-write"), "ok");
  EXPECT_FALSE(write.out.empty());
  EXPECT_EQ(ProbeResult("default", "exe-mount"), "ro");
}

TEST(Entry, KillingTheLauncherKillsTheWholeSandbox) {
  NCP_REQUIRE_USERNS();
  std::vector<pid_t> sandbox;
  std::vector<int> pidfds;
  RunOptions options;
  options.when_ready = [&](pid_t launcher) {
    sandbox = Descendants(launcher);
    for (pid_t pid : sandbox) pidfds.push_back(OpenPidfd(pid));
    kill(launcher, SIGKILL);
  };
  LauncherRun run = Probe("default", "sleep", {}, options);
  EXPECT_TRUE(run.signaled());
  EXPECT_EQ(run.signal(), SIGKILL);
  // init and the entry at least; each must end (nothing else will kill them).
  ASSERT_GE(sandbox.size(), 2u);
  for (size_t i = 0; i < sandbox.size(); ++i) {
    EXPECT_GE(pidfds[i], 0) << sandbox[i];
    EXPECT_TRUE(WaitForEnd(pidfds[i])) << "pid " << sandbox[i] << " survived";
  }
}

TEST(Entry, BrokenProfileNamesFileAndLineAndStartsNothing) {
  TempDir dir;
  const std::string profile =
      WriteProfile(dir, "broken.profile",
                   "include = " + ShippedProfile("default") + "\nseccomp-allow = read(\n");
  LauncherRun run = RunLauncher(
      {"--profile", profile, "--fd", "out=1", kEntries + ":EchoParams", "--params", "started"});
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("broken.profile:2:"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(Entry, ABareLibraryNameIsFoundWithTheCallersSearchPathThoughTheProfileClearsIt) {
  NCP_REQUIRE_USERNS();
  const std::string dir = kEntries.substr(0, kEntries.rfind('/'));
  const std::string name = kEntries.substr(kEntries.rfind('/') + 1);
  RunOptions options;
  options.before_exec = [dir] { setenv("NCP_LIBRARY_PATH", dir.c_str(), 1); };
  // The default profile clears the environment: the search must use the caller's.
  LauncherRun run = RunLauncher({"--profile", ShippedProfile("default"), "--fd", "out=1",
                                 name + ":EchoParams", "--params", "found"},
                                options);
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "found");
}

TEST(Entry, MissingLibraryAndSymbol) {
  NCP_REQUIRE_USERNS();
  // Not on the host: the library cannot be loaded (120), as in normal mode; not a sandbox error.
  EXPECT_EQ(
      RunLauncher({"--profile", ShippedProfile("default"), "/no/such/lib.so:Entry"}).exit_code(),
      120);
  LauncherRun no_symbol =
      RunLauncher({"--profile", ShippedProfile("default"), kEntries + ":NoSuchEntry"});
  EXPECT_EQ(no_symbol.exit_code(), 121) << no_symbol.err;
  // A file that is not a shared object: found and bound, but the runtime cannot load it.
  TempDir dir;
  std::ofstream(dir.path() + "/libnot-elf.so") << "not an ELF file\n";
  LauncherRun not_loaded =
      RunLauncher({"--profile", ShippedProfile("default"), dir.path() + "/libnot-elf.so:Entry"});
  EXPECT_EQ(not_loaded.exit_code(), 120) << not_loaded.err;
}

TEST(Entry, ExitAndSignalOfTheEntryAreMirrored) {
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(
      RunLauncher({"--profile", ShippedProfile("default"), kEntries + ":ExitWith", "--params", "9"})
          .exit_code(),
      9);
  LauncherRun crash =
      RunLauncher({"--profile", ShippedProfile("default"), kEntries + ":CrashSegv"});
  ASSERT_TRUE(crash.signaled()) << crash.err;
  EXPECT_EQ(crash.signal(), SIGSEGV);
}

TEST(Entry, StrictProfileAllowsIoOnPassedFdsOnly) {
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(ProbeResult("strict", "syscall:" + std::to_string(SYS_read)), "EBADF");
  EXPECT_EQ(ProbeResult("strict", "syscall:" + std::to_string(SYS_openat)), "EPERM");
}

TEST(Entry, AuditProfileAllowsWhatDefaultRefuses) {
  NCP_REQUIRE_USERNS();
  const std::string chroot_probe = "syscall:" + std::to_string(SYS_chroot);
  EXPECT_EQ(ProbeResult("default", chroot_probe), "EPERM");
  LauncherRun audit = Probe("audit", chroot_probe);
  EXPECT_EQ(audit.exit_code(), 0) << audit.err;
  EXPECT_EQ(OneResult(audit, chroot_probe), "EFAULT");
}

TEST(Entry, DockerDefaultProfileRunsAnEntry) {
  NCP_REQUIRE_USERNS();
  LauncherRun run =
      RunLauncher({"--unshare-all", "--ro-bind", "/usr", "--ro-bind-try", "/lib", "--ro-bind-try",
                   "/lib64", "--seccomp-oci", NCP_SOURCE_DIR "/tests/data/docker-default.json",
                   kEntries + ":Probe", "--params", "status"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(ParseProbe(run.out)["Seccomp"], "2") << run.out;
}

TEST(Entry, IsolationUidIsNotTheCallers) {
  NCP_REQUIRE_USERNS();
  if (base::Status s = base::IsolationUidAvailable(); !s.ok()) {
    GTEST_SKIP() << "--isolation-uid unavailable: " << s.message();
  }
  long entry_uid = -1;
  RunOptions options;
  options.when_ready = [&](pid_t launcher) {
    std::vector<pid_t> sandbox = Descendants(launcher);
    if (!sandbox.empty()) entry_uid = HostUidsOf(sandbox.back()).real;
    kill(launcher, SIGTERM);
  };
  LauncherRun run = Probe("default", "sleep", {"--isolation-uid"}, options);
  EXPECT_TRUE(run.signaled()) << run.err;
  ASSERT_NE(entry_uid, -1);
  EXPECT_NE(entry_uid, static_cast<long>(geteuid()));
  auto ids = base::ChooseIsolationIds();
  ASSERT_TRUE(ids.ok());
  // Root leases the lowest free id of its range: a sandbox running elsewhere may hold the first.
  EXPECT_GE(entry_uid, static_cast<long>(ids->host_uid));
  if (ids->via_helpers) {
    EXPECT_EQ(entry_uid, static_cast<long>(ids->host_uid));
  }
}

// --- request mode: what the library's isolated start runs ---------------------------------

int SealedRequest(const core::WireRequest& request) {
  const std::string bytes = core::EncodeRequest(request);
  const int fd = memfd_create("request", MFD_CLOEXEC);
  if (fd < 0 || write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    return -1;
  }
  return fd;
}

// Places `fds` at 3, 4, ... in the forked child (two passes: sources may sit on targets).
std::function<void()> PlaceFds(std::vector<int> fds) {
  return [fds] {
    std::vector<int> high;
    for (int fd : fds) high.push_back(fcntl(fd, F_DUPFD_CLOEXEC, 100));
    for (size_t i = 0; i < high.size(); ++i) {
      if (high[i] < 0 || dup2(high[i], 3 + static_cast<int>(i)) < 0) _exit(94);
    }
  };
}

TEST(RequestMode, RunsTheEntryWithTheRequestsFdsEnvironmentAndUmask) {
  NCP_REQUIRE_USERNS();
  core::WireRequest request;
  request.kind = core::ChildKind::kArgs;
  request.library = kEntries;
  request.symbol = "ReportFds";
  request.fd_names = {"out", "zz"};
  request.environment = {"KEPT=yes", "DROPPED=no"};
  request.working_directory = "/no/such/dir";
  request.umask = 027;
  const int memfd = SealedRequest(request);
  ASSERT_GE(memfd, 0);
  RunOptions options;
  options.before_exec = PlaceFds({memfd, 1, 2});
  LauncherRun run =
      RunLauncher({"--request-fd=3", "--profile", ShippedProfile("default")}, options);
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "out=4\nzz=5\nopen: 0 1 2 4 5\n");

  // The plan's env rules apply to the request's environment, not the launcher's.
  request.symbol = "Probe";
  request.params = "context";
  request.fd_names = {};
  const int context_memfd = SealedRequest(request);
  options.before_exec = [place = PlaceFds({context_memfd})] {
    setenv("LAUNCHER_ONLY", "1", 1);
    place();
  };
  LauncherRun context =
      RunLauncher({"--request-fd", "3", "--unshare-all", "--ro-bind", "/usr", "--ro-bind-try",
                   "/lib", "--ro-bind-try", "/lib64", "--env", "ADDED=1", "--unsetenv", "DROPPED"},
                  options);
  close(memfd);
  close(context_memfd);
  EXPECT_EQ(context.exit_code(), 0) << context.err;
  EXPECT_EQ(OneResult(context, "context"), "cwd=/ umask=027 env=ADDED=1,KEPT=yes");
}

TEST(RequestMode, BrokenProfileIsReportedWithFileAndLineAndStartsNothing) {
  TempDir dir;
  const std::string profile = WriteProfile(dir, "broken.profile", "unshare-all\n\nfrobnicate\n");
  core::WireRequest request;
  request.library = kEntries;
  request.symbol = "EchoParams";
  request.params = "started";
  request.fd_names = {"out"};
  const int memfd = SealedRequest(request);
  RunOptions options;
  options.before_exec = PlaceFds({memfd, 1});
  LauncherRun run = RunLauncher({"--request-fd=3", "--profile", profile}, options);
  close(memfd);
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("broken.profile:3:"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(RequestMode, GarbageRequestIsALauncherError) {
  const int fd = memfd_create("garbage", MFD_CLOEXEC);
  ASSERT_EQ(write(fd, "nonsense", 8), 8);
  RunOptions options;
  options.before_exec = PlaceFds({fd});
  LauncherRun run =
      RunLauncher({"--request-fd=3", "--profile", ShippedProfile("default")}, options);
  close(fd);
  EXPECT_EQ(run.exit_code(), 125) << run.err;
}

TEST(RequestMode, IsHiddenFromHelpAndOnlyTheFirstArgument) {
  // Anywhere but first it is no option (it could be meant for the child), and no profile key.
  EXPECT_EQ(RunLauncher({"--profile", ShippedProfile("default"), "--request-fd=3", "--check"})
                .exit_code(),
            125);
  TempDir dir;
  std::ofstream(dir.path() + "/p.profile") << "request-fd = 3\n";
  LauncherRun in_profile = RunLauncher({"--profile", dir.path() + "/p.profile", "--check"});
  EXPECT_EQ(in_profile.exit_code(), 125);
  EXPECT_NE(in_profile.err.find("p.profile:1:"), std::string::npos) << in_profile.err;
  LauncherRun help = RunLauncher({"--help"});
  EXPECT_EQ(help.out.find("request-fd"), std::string::npos);
  EXPECT_NE(help.out.find("--isolation-uid"), std::string::npos);
  EXPECT_NE(help.out.find("Seccomp:"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("Namespaces:"), std::string::npos);
}

}  // namespace
}  // namespace ncp::testing
