// Which host ids a sandbox runs as (launcher/host_ids.h): root's sandboxes never run as host
// uid 0 unless --host-root asks for it, and each running one has an id of its own. Each test
// runs the attack the id stops, from inside a sandbox, and asserts the refusal.
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_launcher.h"
#include "testing/probe_output.h"
#include "testing/processes.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

// Whether this process has capability `cap` in its effective set (/proc/self/status CapEff).
bool EffectiveCapability(int cap) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      return ((std::stoull(line.substr(7), nullptr, 16) >> cap) & 1) != 0;
    }
  }
  return false;
}

const std::string kHelper = NCP_HOST_ID_HELPER_PATH;
constexpr long kBuiltInFirst = 1879048192;  // base::kFallbackIsolationId
constexpr long kBuiltInCount = 65536;

std::string HelperDir() { return kHelper.substr(0, kHelper.rfind('/')); }

#define NCP_REQUIRE_ROOT()                                                           \
  do {                                                                               \
    if (geteuid() != 0) GTEST_SKIP() << "what root's sandboxes run as; run as root"; \
  } while (0)

// The default profile plus the helper's directory, then `options`, then the helper command.
std::vector<std::string> HelperArgs(const std::vector<std::string>& command,
                                    const std::vector<std::string>& options = {}) {
  std::vector<std::string> args = {"--profile", ShippedProfile("default"), "--ro-bind",
                                   HelperDir(), "--seccomp-allow",         "wait4, kill"};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back("--");
  args.push_back(kHelper);
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

// Every namespace but the pid namespace: sandboxes then see and can address each other's
// processes by host pid, so only their host uids keep them apart.
std::vector<std::string> NoPidNamespaceArgs(const std::vector<std::string>& command) {
  std::vector<std::string> args = {
      "--unshare-user", "--unshare-mount", "--unshare-net", "--unshare-ipc",
      "--unshare-uts",  "--ro-bind",       "/usr",          "--ro-bind-try",
      "/lib",           "--ro-bind-try",   "/lib64",        "--ro-bind-try",
      "/bin",           "--ro-bind",       HelperDir(),     "--",
      kHelper};
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

// "INSIDE OUTSIDE COUNT" of the map line -> OUTSIDE (-1 when malformed).
long OutsideId(const std::string& map_line) {
  std::istringstream in(map_line);
  long inside = -1, outside = -1, count = -1;
  if (!(in >> inside >> outside >> count)) return -1;
  return outside;
}

// A range nobody else's sandboxes use while this test runs (other test binaries run at the
// same time and lease from the default range).
long TestRangeFirst() { return 0x60000000L + (static_cast<long>(getpid()) % 65536) * 4; }

RunOptions WithRange(long first, long count) {
  RunOptions options;
  const std::string value = std::to_string(first) + ":" + std::to_string(count);
  options.before_exec = [value] { setenv("NCP_HOST_ID_RANGE", value.c_str(), 1); };
  return options;
}

// --- root: the sandbox's host id is not 0 -----------------------------------------------

TEST(HostIds, RootSandboxCannotWriteTheHostsSysctls) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  // Writing back the current value: where the old code let it through, nothing changes.
  const std::string before = ReadFileText("/proc/sys/kernel/panic");
  const std::string value = before.substr(0, before.find('\n'));
  LauncherRun panic = RunLauncher(HelperArgs({"write", "/proc/sys/kernel/panic", value}));
  EXPECT_EQ(panic.exit_code(), 0) << panic.err;
  const std::string panic_result = ParseProbe(panic.out)["write"];
  EXPECT_TRUE(panic_result == "EACCES" || panic_result == "EROFS") << panic.out << panic.err;
  EXPECT_EQ(ReadFileText("/proc/sys/kernel/panic"), before);

  // core_pattern is host root code execution: not even the open may succeed. "write" with an
  // empty value opens for writing and writes nothing.
  const std::string pattern = ReadFileText("/proc/sys/kernel/core_pattern");
  LauncherRun core = RunLauncher(HelperArgs({"write", "/proc/sys/kernel/core_pattern", ""}));
  const std::string core_result = ParseProbe(core.out)["write"];
  EXPECT_TRUE(core_result == "EACCES" || core_result == "EROFS") << core.out << core.err;
  EXPECT_EQ(ReadFileText("/proc/sys/kernel/core_pattern"), pattern);
}

TEST(HostIds, RootSandboxOnTheHostNetworkCannotWriteItsSysctls) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  // Under `network` the sandbox shares the host's network namespace, whose sysctls the kernel
  // lets that namespace's root (host uid 0) write.
  const std::string path = "/proc/sys/net/ipv4/ip_forward";
  const std::string before = ReadFileText(path);
  std::vector<std::string> args = HelperArgs({"write", path, before.substr(0, before.find('\n'))});
  args[1] = ShippedProfile("network");
  LauncherRun run = RunLauncher(args);
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  const std::string result = ParseProbe(run.out)["write"];
  EXPECT_TRUE(result == "EACCES" || result == "EROFS") << run.out << run.err;
  EXPECT_EQ(ReadFileText(path), before);
}

TEST(HostIds, RootOwnedReadOnlyFdCannotBeReopenedForWriting) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  TempDir dir;
  const std::string path = dir.path() + "/secret";
  std::ofstream(path) << "unchanged";
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  RunOptions options;
  options.before_exec = [path] {
    const int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0 || dup2(fd, 5) != 5) _exit(95);
  };
  LauncherRun run = RunLauncher(HelperArgs({"reopen-rw", "5"}, {"--fd", "secret=5"}), options);
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(ParseProbe(run.out)["reopen-rw"], "EACCES") << run.out;
  EXPECT_EQ(ReadFileText(path), "unchanged");
}

TEST(HostIds, ConcurrentSandboxesHaveTheirOwnHostIdsAndCannotKillEachOther) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  HostUids first_ids, second_ids;
  std::string kill_result;
  bool first_alive_after = false;
  RunOptions outer;
  outer.when_ready = [&](pid_t first_launcher) {
    const std::vector<pid_t> first = Descendants(first_launcher);
    if (first.empty()) return;
    const pid_t target = first.back();
    first_ids = HostUidsOf(target);
    RunOptions inner;
    inner.when_ready = [&](pid_t second_launcher) {
      const std::vector<pid_t> second = Descendants(second_launcher);
      if (!second.empty()) second_ids = HostUidsOf(second.back());
      kill(second_launcher, SIGTERM);
    };
    LauncherRun killer =
        RunLauncher(NoPidNamespaceArgs({"kill-then-wait", std::to_string(target)}), inner);
    kill_result = ParseProbe(killer.out)["kill"];
    first_alive_after = kill(target, 0) == 0;
    kill(first_launcher, SIGTERM);
  };
  LauncherRun sleeper = RunLauncher(NoPidNamespaceArgs({"sleep"}), outer);
  EXPECT_TRUE(sleeper.signaled()) << sleeper.err;
  ASSERT_NE(first_ids.real, -1);
  ASSERT_NE(second_ids.real, -1);
  EXPECT_NE(first_ids.real, 0);
  EXPECT_NE(second_ids.real, 0);
  EXPECT_NE(first_ids.real, second_ids.real);
  EXPECT_EQ(kill_result, "EPERM");
  EXPECT_TRUE(first_alive_after);
}

TEST(HostIds, RlimitNprocHoldsForRoot) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  // RLIMIT_NPROC counts the processes of the sandbox's host uid in its user namespace: init
  // and the helper are two of the five, so three forks succeed (uid 0 would be exempt).
  LauncherRun run = RunLauncher(HelperArgs({"forks", "10"}, {"--rlimit", "nproc=5"}));
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  auto result = ParseProbe(run.out);
  EXPECT_EQ(result["forks"], "3") << run.out;
  EXPECT_EQ(result["fork-error"], "EAGAIN") << run.out;
}

// --idmap-binds: the leased id acts as root on the bind's files, and what it creates there
// belongs to root, as when the sandbox ran as host root.
TEST(HostIds, IdmappedWritableBindKeepsTheCallersOwnership) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  // An idmapped mount needs CAP_SYS_ADMIN over the host's mounts, which a container's root
  // lacks (Docker's default capabilities): the launcher then binds plainly and says so.
  if (!EffectiveCapability(CAP_SYS_ADMIN)) GTEST_SKIP() << "idmapped mounts need CAP_SYS_ADMIN";
  TempDir dir;  // root's, 0700
  const std::string existing = dir.path() + "/existing";
  std::ofstream(existing) << "old";
  ASSERT_EQ(chmod(existing.c_str(), 0600), 0);
  const std::vector<std::string> bind = {"--idmap-binds", "--bind", dir.path() + ":/data"};
  LauncherRun create = RunLauncher(HelperArgs({"create", "/data/new"}, bind));
  EXPECT_EQ(create.exit_code(), 0) << create.err;
  EXPECT_EQ(ParseProbe(create.out)["create"], "ok") << create.out;
  struct stat st {};
  ASSERT_EQ(stat((dir.path() + "/new").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_gid, 0u);
  LauncherRun write = RunLauncher(HelperArgs({"write", "/data/existing", "new"}, bind));
  EXPECT_EQ(ParseProbe(write.out)["write"], "ok") << write.out << write.err;
  EXPECT_EQ(ReadFileText(existing), "new");
  // The read-only binds are not idmapped: root's 0600 files there stay closed to the sandbox.
  LauncherRun read_only = RunLauncher(
      HelperArgs({"write", "/data/existing", "x"}, {"--ro-bind", dir.path() + ":/data"}));
  EXPECT_EQ(ParseProbe(read_only.out)["write"], "EACCES") << read_only.out << read_only.err;
  LauncherRun check =
      RunLauncher({"--profile", ShippedProfile("default"), "--idmap-binds", "--check"});
  EXPECT_NE(check.out.find("writable binds: idmapped, files keep root's ownership"),
            std::string::npos)
      << check.out;
}

// By default a writable bind is plain: the sandbox's files belong to its leased id, and root's
// own files there are closed to it (so it cannot leave a setuid-root file either).
TEST(HostIds, PlainWritableBindGivesTheSandboxNoneOfRootsFiles) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0777), 0);
  const std::string existing = dir.path() + "/existing";
  std::ofstream(existing) << "old";
  ASSERT_EQ(chmod(existing.c_str(), 0644), 0);
  const std::vector<std::string> bind = {"--bind", dir.path() + ":/data"};
  LauncherRun write = RunLauncher(HelperArgs({"write", "/data/existing", "new"}, bind));
  EXPECT_EQ(ParseProbe(write.out)["write"], "EACCES") << write.out << write.err;
  EXPECT_EQ(ReadFileText(existing), "old");
  LauncherRun create = RunLauncher(HelperArgs({"create", "/data/new"}, bind));
  EXPECT_EQ(ParseProbe(create.out)["create"], "ok") << create.out << create.err;
  struct stat st {};
  ASSERT_EQ(stat((dir.path() + "/new").c_str(), &st), 0);
  EXPECT_NE(st.st_uid, 0u);
}

// The sandbox runs as its leased id, but root's launcher opens the bind sources: a program
// below a directory only root can search (/root, a 0700 install tree) still runs.
TEST(HostIds, RootRunsAProgramFromADirectoryOnlyRootCanSearch) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  TempDir dir;  // root's, 0700
  const std::string bin = dir.path() + "/bin";
  ASSERT_EQ(mkdir(bin.c_str(), 0755), 0);
  const std::string helper = bin + "/helper";
  std::filesystem::copy_file(kHelper, helper);
  ASSERT_EQ(chmod(helper.c_str(), 0755), 0);
  LauncherRun run = RunLauncher({"--profile", ShippedProfile("default"), "--ro-bind", bin,
                                 "--seccomp-allow", "wait4, kill", "--", helper, "map"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  const long host_uid = OutsideId(ParseProbe(run.out)["uid_map"]);
  EXPECT_GT(host_uid, 0) << run.out;
}

TEST(HostIds, UidOptionMapsToALeasedHostIdNotRoot) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  const long first = TestRangeFirst();
  LauncherRun run =
      RunLauncher(HelperArgs({"map"}, {"--uid", "1000", "--gid", "1000"}), WithRange(first, 4));
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  auto result = ParseProbe(run.out);
  EXPECT_EQ(result["uid_map"], "1000 " + std::to_string(first) + " 1") << run.out;
  EXPECT_EQ(result["gid_map"], "1000 " + std::to_string(first) + " 1") << run.out;
  EXPECT_EQ(result["groups"], "0") << run.out;  // root's supplementary groups stay outside
}

TEST(HostIds, DefaultRangeIsTheBuiltInOneWithoutSubuid) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  if (!ReadFileText("/etc/subuid").empty() || !ReadFileText("/etc/subgid").empty()) {
    GTEST_SKIP() << "/etc/subuid or /etc/subgid has ranges here";
  }
  LauncherRun run = RunLauncher(HelperArgs({"map"}));
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  const long host_uid = OutsideId(ParseProbe(run.out)["uid_map"]);
  EXPECT_GE(host_uid, kBuiltInFirst) << run.out;
  EXPECT_LT(host_uid, kBuiltInFirst + kBuiltInCount) << run.out;
  LauncherRun check = RunLauncher({"--profile", ShippedProfile("default"), "--check"});
  EXPECT_EQ(check.exit_code(), 0) << check.err;
  EXPECT_NE(check.out.find("host ids: the lowest free uid of 1879048192-1879113727"),
            std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("the built-in range"), std::string::npos) << check.out;
}

TEST(HostIds, HostRootKeepsHostUidZeroAndCheckSaysSo) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  LauncherRun run = RunLauncher(HelperArgs({"map"}, {"--host-root"}));
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(ParseProbe(run.out)["uid_map"], "0 0 1") << run.out;
  EXPECT_TRUE(run.err.empty()) << run.err;  // nothing surprising printed
  LauncherRun check =
      RunLauncher({"--profile", ShippedProfile("default"), "--host-root", "--check"});
  EXPECT_EQ(check.exit_code(), 0) << check.err;
  EXPECT_NE(check.out.find("host ids: uid 0, gid 0: host root, by --host-root"), std::string::npos)
      << check.out;
}

TEST(HostIds, HostRootIsNotAProfileKey) {
  TempDir dir;
  const std::string profile = WriteProfile(dir, "root.profile", "unshare-all\nhost-root\n");
  LauncherRun run = RunLauncher({"--profile", profile, "--check"});
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("root.profile:2:"), std::string::npos) << run.err;
}

TEST(HostIds, HostRootAndIsolationUidContradict) {
  LauncherRun run = RunLauncher(
      {"--profile", ShippedProfile("default"), "--host-root", "--isolation-uid", "--check"});
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.out.find("host ids: refused: --host-root and --isolation-uid contradict"),
            std::string::npos)
      << run.out;
}

TEST(HostIds, RootWithoutAUserNamespaceIsRefused) {
  NCP_REQUIRE_ROOT();
  TempDir dir;
  const std::string marker = dir.path() + "/started";
  LauncherRun run = RunLauncher({"--no-seccomp", "--", "/bin/touch", marker});
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("would run as host root"), std::string::npos) << run.err;
  EXPECT_NE(access(marker.c_str(), F_OK), 0);
  LauncherRun allowed = RunLauncher({"--no-seccomp", "--host-root", "--", "/bin/touch", marker});
  EXPECT_EQ(allowed.exit_code(), 0) << allowed.err;
}

// --- the lease: one id per running sandbox, free again when it ends ----------------------

TEST(HostIds, IdsAreReleasedWhenASandboxEnds) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  const long first = TestRangeFirst();
  // A range of one id: each run can only have it if the one before gave it back.
  for (int i = 0; i < 3; ++i) {
    LauncherRun run = RunLauncher(HelperArgs({"map"}), WithRange(first, 1));
    ASSERT_EQ(run.exit_code(), 0) << "run " << i << ": " << run.err;
    EXPECT_EQ(OutsideId(ParseProbe(run.out)["uid_map"]), first) << run.out;
  }
}

// Without a pid namespace nothing ends the processes a program leaves behind: their id is not
// leased again while they run, since they could signal or ptrace the next sandbox.
TEST(HostIds, IdWithProcessesLeftBehindIsNotLeasedAgain) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  const long first = TestRangeFirst();
  LauncherRun leaver = RunLauncher(NoPidNamespaceArgs({"leave-behind"}), WithRange(first, 2));
  ASSERT_EQ(leaver.exit_code(), 0) << leaver.err;
  const pid_t leftover = static_cast<pid_t>(std::atol(ParseProbe(leaver.out)["leftover"].c_str()));
  ASSERT_GT(leftover, 0) << leaver.out;
  EXPECT_EQ(HostUidsOf(leftover).real, first);
  LauncherRun next = RunLauncher(NoPidNamespaceArgs({"map"}), WithRange(first, 2));
  EXPECT_EQ(next.exit_code(), 0) << next.err;
  EXPECT_EQ(OutsideId(ParseProbe(next.out)["uid_map"]), first + 1) << next.out;
  // Once it is gone (killed, and reaped by whoever adopted it), the id is free again.
  ASSERT_EQ(kill(leftover, SIGKILL), 0);
  for (int i = 0; i < 1000 && kill(leftover, 0) == 0; ++i) usleep(10000);
  ASSERT_NE(kill(leftover, 0), 0) << "the leftover was not reaped";
  LauncherRun after = RunLauncher(NoPidNamespaceArgs({"map"}), WithRange(first, 2));
  EXPECT_EQ(OutsideId(ParseProbe(after.out)["uid_map"]), first) << after.out << after.err;
}

TEST(HostIds, ExhaustedRangeIsAClearErrorAndNothingStarts) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_ROOT();
  const long first = TestRangeFirst();
  LauncherRun second;
  long first_host_uid = -1;
  RunOptions outer = WithRange(first, 1);
  outer.when_ready = [&](pid_t launcher) {
    const std::vector<pid_t> sandbox = Descendants(launcher);
    if (!sandbox.empty()) first_host_uid = HostUidsOf(sandbox.back()).real;
    second = RunLauncher(HelperArgs({"map"}), WithRange(first, 1));
    kill(launcher, SIGTERM);
  };
  LauncherRun sleeper = RunLauncher(HelperArgs({"sleep"}), outer);
  EXPECT_TRUE(sleeper.signaled()) << sleeper.err;
  EXPECT_EQ(first_host_uid, first);
  EXPECT_EQ(second.exit_code(), 125);
  EXPECT_NE(second.err.find("no free host id"), std::string::npos) << second.err;
  EXPECT_EQ(second.out, "");
  // ...and free again afterwards.
  LauncherRun after = RunLauncher(HelperArgs({"map"}), WithRange(first, 1));
  EXPECT_EQ(after.exit_code(), 0) << after.err;
}

TEST(HostIds, RangeHoldingIdZeroIsRefused) {
  NCP_REQUIRE_ROOT();
  LauncherRun run =
      RunLauncher({"--profile", ShippedProfile("default"), "--check"}, WithRange(0, 10));
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.out.find("host ids: refused: NCP_HOST_ID_RANGE must be FIRST:COUNT"),
            std::string::npos)
      << run.out;
}

// --- an unprivileged caller: its own ids, as before --------------------------------------

TEST(HostIds, UnprivilegedCallerKeepsItsOwnIds) {
  NCP_REQUIRE_USERNS();
  if (geteuid() == 0) GTEST_SKIP() << "what a user's sandboxes run as; run as a user";
  LauncherRun run = RunLauncher(HelperArgs({"map"}, {"--host-root"}));
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(OutsideId(ParseProbe(run.out)["uid_map"]), static_cast<long>(geteuid())) << run.out;
  LauncherRun check =
      RunLauncher({"--profile", ShippedProfile("default"), "--host-root", "--check"});
  EXPECT_EQ(check.exit_code(), 0) << check.err;
  EXPECT_NE(check.out.find("host ids: uid " + std::to_string(geteuid()) + ", gid " +
                           std::to_string(getegid()) +
                           ", the caller's own; --host-root "
                           "changes nothing when not run as root"),
            std::string::npos)
      << check.out;
}

}  // namespace
}  // namespace ncp::testing
