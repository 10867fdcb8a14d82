// Landlock, the wall behind the mounts (launcher/landlock.h), end to end: what a sandboxed
// program can no longer reach through paths that lead out of its new root (a passed fd reopened
// through /proc/self/fd; a passed directory fd is refused first), signals and abstract sockets
// outside the sandbox, and --landlock=required failing closed where the kernel (or a filter)
// refuses it. The runs add `--seccomp-default allow` where a profile's filter would refuse a
// probe's call first: Landlock must hold on its own.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "core/protocol/unix_message.h"
#include "run_launcher.h"
#include "testing/probe_output.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

using base::UniqueFd;

const std::string kProbe = NCP_LANDLOCK_PROBE_PATH;
const std::string kProbeDir = std::filesystem::path(kProbe).parent_path().string();
const std::string kEntries = NCP_TEST_ENTRIES_PATH;
// Where a test puts the fd it passes (an --fd stays at its own number in the program form).
constexpr int kPassedFd = 10;
const std::string kPassed = std::to_string(kPassedFd);

int KernelLandlockAbi() {
  // Raw: glibc wraps no landlock call.
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U /* VERSION */);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

#define REQUIRE_LANDLOCK_ABI(n)                                      \
  do {                                                               \
    if (KernelLandlockAbi() < (n)) {                                 \
      GTEST_SKIP() << "this kernel's Landlock ABI is below " << (n); \
    }                                                                \
  } while (0)

// A file whose permission bits let every host id write it: run by root, the sandbox is a
// leased unprivileged id, and a root-owned 0644 file would be refused by permissions before
// Landlock is asked. Landlock must refuse on its own.
void OpenToEveryId(const std::string& path) {
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read | std::filesystem::perms::group_write |
                std::filesystem::perms::others_read | std::filesystem::perms::others_write);
}

// Reopening a caller's pipe, terminal or file through /proc/self/fd is a permission check
// against the sandbox's host id; run by root that is a leased id, which root's 0600 pipe or
// 0620 terminal refuses (launcher/README.md, Known limits). The Landlock tests of such reopens
// ask for host uid 0, the documented way out, so that only Landlock can refuse.
std::vector<std::string> AsTheCallerOnTheHost() {
  if (geteuid() == 0) return {"--host-root"};
  return {};
}

// The program-form probe under PROFILE, with its own directory bound in and no filter in the
// way; `options` go before the command.
std::vector<std::string> ProbeArgs(const std::string& profile, std::vector<std::string> options,
                                   const std::vector<std::string>& probes) {
  std::vector<std::string> args = {
      "--profile", ShippedProfile(profile), "--seccomp-default", "allow", "--ro-bind", kProbeDir};
  args.insert(args.end(), options.begin(), options.end());
  for (const std::string& o : SanitizedProgramOptions()) args.push_back(o);
  args.push_back("--");
  args.push_back(kProbe);
  args.insert(args.end(), probes.begin(), probes.end());
  return args;
}

// Puts `fd` at kPassedFd in the launcher (CLOEXEC cleared by dup2).
RunOptions PassingFd(int fd) {
  RunOptions options;
  options.before_exec = [fd] {
    if (dup2(fd, kPassedFd) < 0) _exit(95);
  };
  return options;
}

// A filter in front of ncp-launch that answers the three Landlock calls with `err`, as a
// kernel without Landlock (ENOSYS) or an older container runtime's profile (EPERM) does.
void DenyLandlock(int err) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_landlock_create_ruleset, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_landlock_add_rule, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_landlock_restrict_self, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | static_cast<uint32_t>(err)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    _exit(94);
  }
}

// Makes the kernel look older: ncp-launch and everything it starts ask the landlock_create_ruleset
// version query of a supervisor (a seccomp user notification), which answers `abi`; every other
// call goes on to the kernel, which accepts a ruleset of an older ABI's rights.
class OlderLandlockAbi {
 public:
  explicit OlderLandlockAbi(int abi) : abi_(abi) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0) {
      receiver_.reset(pair[0]);
      sender_.reset(pair[1]);
    }
  }
  ~OlderLandlockAbi() {
    if (supervisor_.joinable()) supervisor_.join();
  }

  // RunLauncher's before_exec: the filter, its listener sent to the test, then exec.
  RunOptions Options() {
    RunOptions options;
    const int sender = sender_.get();
    options.before_exec = [sender] {
      sock_filter filter[] = {
          BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
          BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_landlock_create_ruleset, 0, 1),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      };
      sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
      if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(93);
      // Raw: glibc has no seccomp wrapper.
      const int listener = static_cast<int>(
          syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
      if (listener < 0 || !SendFd(sender, listener)) _exit(93);
      close(listener);
    };
    supervisor_ = std::thread([this] { Supervise(); });
    return options;
  }

 private:
  static bool SendFd(int socket, int fd) {
    const char byte = 0;
    return core::SendMessage(socket, &byte, 1, &fd, 1);
  }

  static UniqueFd ReceiveFd(int socket) {
    pollfd pfd{socket, POLLIN, 0};
    // A hang guard only: the child sends the listener right after fork.
    if (poll(&pfd, 1, 60000) != 1) return {};
    char byte = 0;
    std::vector<UniqueFd> fds;
    if (core::ReceiveMessage(socket, &byte, 1, &fds, 1) != 1 || fds.empty()) return {};
    return std::move(fds[0]);
  }

  // Until every process under the filter is gone (the listener hangs up).
  void Supervise() {
    UniqueFd listener = ReceiveFd(receiver_.get());
    if (!listener) return;
    for (;;) {
      pollfd pfd{listener.get(), POLLIN, 0};
      // No time limit: the hang-up comes when the last filtered process has ended.
      if (poll(&pfd, 1, -1) != 1 || (pfd.revents & POLLIN) == 0) return;
      seccomp_notif request{};
      if (ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) continue;
      seccomp_notif_resp response{};
      response.id = request.id;
      if (request.data.args[2] == 1U /* VERSION */) {
        response.val = abi_;
      } else {
        response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      }
      ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &response);
    }
  }

  const int abi_;
  UniqueFd receiver_;
  UniqueFd sender_;
  std::thread supervisor_;
};

// Issue 9, item 3: a file the caller owns (permission bits allow writing it) passed read-only
// is reopened through /proc/self/fd for writing. The mounts cannot stop that: the magic link
// leads straight to the host's file. Landlock does: the file is outside every writable bind.
TEST(Landlock, AReadOnlyFdCannotBeReopenedForWritingOrTruncated) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(3);
  TempDir dir;
  const std::string file = dir.path() + "/owned-by-caller";
  std::ofstream(file) << "original";
  OpenToEveryId(file);
  UniqueFd read_only(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(read_only);
  const std::string magic = "/proc/self/fd/" + kPassed;
  LauncherRun run = RunLauncher(ProbeArgs("default", {"--fd", "file=" + kPassed},
                                          {"write:" + magic, "truncate:" + magic, "read:" + magic}),
                                PassingFd(read_only.get()));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  auto probe = ParseProbe(run.out);
  EXPECT_EQ(probe["write:" + magic], "EACCES");
  EXPECT_EQ(probe["truncate:" + magic], "EACCES");
  EXPECT_EQ(probe["read:" + magic], "ok") << "a read-only fd may still be reopened for reading";
  EXPECT_EQ(ReadFileText(file), "original");
}

// The same attack from an entry (the Probe entry of libncp_test_entries.so; "file" is fd 4).
TEST(Landlock, AnEntryCannotReopenAReadOnlyFdForWriting) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(1);
  TempDir dir;
  const std::string file = dir.path() + "/owned-by-caller";
  std::ofstream(file) << "original";
  OpenToEveryId(file);
  UniqueFd read_only(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(read_only);
  LauncherRun run =
      RunLauncher({"--profile", ShippedProfile("default"), "--fd", "file=" + kPassed,
                   kEntries + ":Probe", "--params", "create:/proc/self/fd/4;open:/proc/self/fd/4"},
                  PassingFd(read_only.get()));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  auto probe = ParseProbe(run.out);
  EXPECT_EQ(probe["create:/proc/self/fd/4"], "EACCES");
  EXPECT_EQ(probe["open:/proc/self/fd/4"], "ok");
  EXPECT_EQ(ReadFileText(file), "original");
}

// A passed directory fd would lead out of the new root (openat(fd, "..")): it is refused before
// anything starts, so no rule is needed for it. The writable bind and /tmp stay writable, the
// read-only binds readable.
TEST(Landlock, APassedDirectoryFdIsRefusedAndTheWritableBindsStayWritable) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(1);
  TempDir outside;
  TempDir writable;
  std::filesystem::permissions(writable.path(), std::filesystem::perms::all);
  UniqueFd dir_fd(open(outside.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir_fd);
  LauncherRun refused =
      RunLauncher(ProbeArgs("default", {"--fd", "dir=" + kPassed}, {"mkdirat:" + kPassed + ":sub"}),
                  PassingFd(dir_fd.get()));
  EXPECT_EQ(refused.exit_code(), 125) << refused.err;
  EXPECT_EQ(refused.err, "ncp-launch: --fd dir=" + kPassed + ": fd " + kPassed +
                             " is a directory: it would lead out of the sandbox's root\n");
  EXPECT_EQ(refused.out, "");
  EXPECT_FALSE(std::filesystem::exists(outside.path() + "/sub"));

  const std::vector<std::string> probes = {"create:/writable/made-inside",
                                           "create:/tmp/made-inside", "read:/usr/bin/env",
                                           "create:/usr/made-inside"};
  LauncherRun run =
      RunLauncher(ProbeArgs("default", {"--bind", writable.path() + ":/writable"}, probes));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  auto probe = ParseProbe(run.out);
  EXPECT_EQ(probe["create:/writable/made-inside"], "ok");
  EXPECT_EQ(probe["create:/tmp/made-inside"], "ok");
  EXPECT_EQ(probe["read:/usr/bin/env"], "ok");
  EXPECT_EQ(probe["create:/usr/made-inside"], "EROFS") << "the mount answers first";
  EXPECT_EQ(ReadFileText(writable.path() + "/made-inside"), "new");
}

// What the mounts allow keeps working under the rules: /proc and /dev as mounted, a passed
// stderr (a file here) reopened for writing, as `echo x > /dev/stderr` does (as root with
// --host-root: see AsTheCallerOnTheHost).
TEST(Landlock, WhatTheMountsAllowStillWorks) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(1);
  const std::vector<std::string> probes = {"write:/proc/self/comm", "read:/proc/self/status",
                                           "write:/dev/null",       "read:/dev/urandom",
                                           "write:/dev/stderr",     "read:/"};
  LauncherRun run = RunLauncher(ProbeArgs("default", AsTheCallerOnTheHost(), probes));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  auto probe = ParseProbe(run.out);
  for (const std::string& p : probes) EXPECT_EQ(probe[p], "ok") << p;
}

// Landlock's device-ioctl right (ABI 5) checks ioctls on device files opened after the rules:
// a terminal passed in keeps its ioctls, and so does the same terminal reopened through
// /proc/self/fd (a passed device's rule grants them; as root with --host-root, since root's
// terminal is 0620 root:tty).
TEST(Landlock, APassedTerminalKeepsItsIoctls) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(1);
  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(master);
  ASSERT_EQ(grantpt(master.get()), 0);
  ASSERT_EQ(unlockpt(master.get()), 0);
  UniqueFd terminal(open(ptsname(master.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(terminal);
  std::vector<std::string> options = AsTheCallerOnTheHost();
  options.insert(options.end(), {"--fd", "tty=" + kPassed});
  LauncherRun run =
      RunLauncher(ProbeArgs("default", options, {"tcgets:" + kPassed, "reopen-tcgets:" + kPassed}),
                  PassingFd(terminal.get()));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  auto probe = ParseProbe(run.out);
  EXPECT_EQ(probe["tcgets:" + kPassed], "ok");
  EXPECT_EQ(probe["reopen-tcgets:" + kPassed], "ok");
}

// A writable bind hidden by a later read-only one gives no rights: its destination now leads
// into the read-only bind, whose host files must stay read-only for paths from outside.
TEST(Landlock, AHiddenWritableBindGivesNoRights) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(1);
  TempDir writable;
  TempDir read_only;
  const std::string sub = read_only.path() + "/sub";
  ASSERT_EQ(mkdir(sub.c_str(), 0755), 0);
  const std::string file = sub + "/owned-by-caller";
  std::ofstream(file) << "original";
  // Readable and writable by every id, so only Landlock decides (see OpenToEveryId).
  std::filesystem::permissions(read_only.path(), std::filesystem::perms::owner_all |
                                                     std::filesystem::perms::group_read |
                                                     std::filesystem::perms::group_exec |
                                                     std::filesystem::perms::others_read |
                                                     std::filesystem::perms::others_exec);
  ASSERT_EQ(chmod(sub.c_str(), 0755), 0);
  OpenToEveryId(file);
  UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd);
  const std::string magic = "/proc/self/fd/" + kPassed;
  LauncherRun run =
      RunLauncher(ProbeArgs("default",
                            {"--fd", "file=" + kPassed, "--bind", writable.path() + ":/data/sub",
                             "--ro-bind", read_only.path() + ":/data"},
                            {"write:" + magic, "read:/data/sub/owned-by-caller"}),
                  PassingFd(fd.get()));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  auto probe = ParseProbe(run.out);
  EXPECT_EQ(probe["write:" + magic], "EACCES");
  EXPECT_EQ(probe["read:/data/sub/owned-by-caller"], "ok");
  EXPECT_EQ(ReadFileText(file), "original");
}

// A sibling of the launcher with the same uid (so permissions alone let the sandbox kill it),
// by its pid and through a passed pidfd; without a pid namespace, since with one the pid is not
// there and pidfd_send_signal refuses a pidfd from outside (EINVAL) anyway. Signalling inside
// the sandbox still works.
TEST(Landlock, TheSandboxCannotSignalOutsideItself) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(6);
  const pid_t sibling = fork();
  ASSERT_GE(sibling, 0);
  if (sibling == 0) {
    for (;;) pause();
  }
  UniqueFd pidfd(OpenPidfd(sibling));
  ASSERT_TRUE(pidfd);
  const std::string kill_sibling = "kill:" + std::to_string(sibling);
  const std::string pidfd_kill = "pidfd-kill:" + kPassed;
  // Every namespace but the pid one, so the host's pids are the sandbox's.
  LauncherRun shared_pids = RunLauncher({"--unshare-user",
                                         "--unshare-mount",
                                         "--unshare-net",
                                         "--unshare-ipc",
                                         "--ro-bind",
                                         "/usr",
                                         "--ro-bind-try",
                                         "/lib",
                                         "--ro-bind-try",
                                         "/lib64",
                                         "--ro-bind-try",
                                         "/bin",
                                         "--ro-bind",
                                         kProbeDir,
                                         "--fd",
                                         "pidfd=" + kPassed,
                                         "--",
                                         kProbe,
                                         kill_sibling,
                                         pidfd_kill,
                                         "kill-own-child"},
                                        PassingFd(pidfd.get()));
  int status = 0;
  const pid_t ended = waitpid(sibling, &status, WNOHANG);
  kill(sibling, SIGKILL);
  waitpid(sibling, nullptr, 0);
  EXPECT_EQ(ended, 0) << "the sandbox killed a process outside it";
  ASSERT_EQ(shared_pids.exit_code(), 0) << shared_pids.err;
  auto probe = ParseProbe(shared_pids.out);
  EXPECT_EQ(probe[kill_sibling], "EPERM");
  EXPECT_EQ(probe[pidfd_kill], "EPERM");
  EXPECT_EQ(probe["kill-own-child"], "ok");
}

// Under `network` the sandbox shares the host's network namespace, where abstract Unix sockets
// live: a host service listening on one (X11, D-Bus and others do) is out of reach.
TEST(Landlock, TheSandboxCannotConnectToAHostAbstractSocket) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(6);
  const std::string name = "ncp-landlock-test-" + std::to_string(getpid());
  UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(listener);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), size), 0);
  ASSERT_EQ(listen(listener.get(), 4), 0);
  LauncherRun run = RunLauncher(ProbeArgs("network", {}, {"abstract:" + name}));
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(ParseProbe(run.out)["abstract:" + name], "EPERM");
}

TEST(Landlock, RequiredRunsWhereTheKernelHasIt) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(3);
  LauncherRun run =
      RunLauncher({"--profile", "default", "--landlock=required", "--", "/bin/echo", "ran"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "ran\n");
  // The same as a profile key.
  TempDir dir;
  const std::string profile =
      WriteProfile(dir, "required.profile",
                   "include = default\nlandlock = required:" +
                       std::to_string(KernelLandlockAbi() < 7 ? KernelLandlockAbi() : 7) + "\n");
  LauncherRun from_profile = RunLauncher({"--profile", profile, "--", "/bin/echo", "ran"});
  EXPECT_EQ(from_profile.exit_code(), 0) << from_profile.err;
  EXPECT_EQ(from_profile.out, "ran\n");
}

// The kernel refusing the calls (ENOSYS: no Landlock; EPERM: a container's filter): required
// stops the start with 125 and one line, before the program runs.
TEST(Landlock, RequiredFailsClosedWhereTheCallsAreRefused) {
  NCP_REQUIRE_USERNS();
  for (const int err : {ENOSYS, EPERM}) {
    RunOptions options;
    options.before_exec = [err] { DenyLandlock(err); };
    LauncherRun run = RunLauncher(
        {"--profile", "default", "--landlock=required", "--", "/bin/echo", "ran"}, options);
    EXPECT_EQ(run.exit_code(), 125) << strerrorname_np(err);
    EXPECT_EQ(run.out, "") << "the program ran";
    EXPECT_EQ(run.err, std::string("ncp-launch: landlock: landlock=required, but the kernel "
                                   "offers no Landlock (landlock_create_ruleset): ") +
                           std::strerror(err) + "\n");
    // --check says so before anything is started.
    LauncherRun check =
        RunLauncher({"--profile", "default", "--landlock=required", "--check"}, options);
    EXPECT_EQ(check.exit_code(), 0) << check.err;
    EXPECT_NE(check.out.find(std::string("landlock on this kernel: none (") + std::strerror(err) +
                             "); landlock=required would stop a start here\n"),
              std::string::npos)
        << check.out;
  }
}

TEST(Landlock, BestEffortRunsWhereTheCallsAreRefused) {
  NCP_REQUIRE_USERNS();
  for (const int err : {ENOSYS, EPERM}) {
    RunOptions options;
    options.before_exec = [err] { DenyLandlock(err); };
    LauncherRun run =
        RunLauncher({"--verbose", "--profile", "default", "--", "/bin/echo", "ran"}, options);
    EXPECT_EQ(run.exit_code(), 0) << run.err;
    EXPECT_EQ(run.out, "ran\n");
    EXPECT_NE(run.err.find("landlock: none, the kernel refuses landlock_create_ruleset: " +
                           std::string(std::strerror(err))),
              std::string::npos)
        << run.err;
  }
}

// On a kernel with ABI 2 (Debian 12's): required (ABI 3) stops the start; best effort handles
// what ABI 2 has, so writing a read-only fd's file is refused but truncating it is not yet.
TEST(Landlock, AnOlderAbiIsUsedAsFarAsItGoesAndRequiredNamesTheShortfall) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(3);
  {
    OlderLandlockAbi abi2(2);
    LauncherRun run = RunLauncher(
        {"--profile", "default", "--landlock=required", "--", "/bin/echo", "ran"}, abi2.Options());
    EXPECT_EQ(run.exit_code(), 125);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err,
              "ncp-launch: landlock: landlock=required:3, but the kernel has only Landlock ABI "
              "2\n");
  }
  TempDir dir;
  const std::string file = dir.path() + "/owned-by-caller";
  std::ofstream(file) << "original";
  OpenToEveryId(file);
  UniqueFd read_only(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(read_only);
  const std::string magic = "/proc/self/fd/" + kPassed;
  OlderLandlockAbi abi2(2);
  RunOptions options = abi2.Options();
  const int fd = read_only.get();
  options.before_exec = [fd, inner = options.before_exec] {
    if (dup2(fd, kPassedFd) < 0) _exit(95);
    inner();
  };
  LauncherRun run = RunLauncher(ProbeArgs("default", {"--verbose", "--fd", "file=" + kPassed},
                                          {"write:" + magic, "truncate:" + magic}),
                                options);
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(run.err.find("child  landlock: ABI 2: file rules, refer\n"), std::string::npos)
      << run.err;
  auto probe = ParseProbe(run.out);
  EXPECT_EQ(probe["write:" + magic], "EACCES");
  EXPECT_EQ(probe["truncate:" + magic], "ok") << "ABI 2 has no truncate right";
}

TEST(Landlock, RequiredWithoutAMountNamespaceIsAProfileError) {
  LauncherRun run = RunLauncher({"--unshare-user", "--landlock=required", "--", "/bin/true"});
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("landlock=required needs a mount namespace"), std::string::npos)
      << run.err;
}

TEST(Landlock, CheckShowsTheModeAndTheKernelsAbi) {
  LauncherRun run = RunLauncher({"--profile", "default", "--check"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(run.out.find("\nlandlock: best-effort\n"), std::string::npos) << run.out;
  const int abi = KernelLandlockAbi();
  const std::string kernel = abi > 0 ? "landlock on this kernel: ABI " + std::to_string(abi)
                                     : "landlock on this kernel: none";
  EXPECT_NE(run.out.find(kernel), std::string::npos) << run.out;
  LauncherRun off = RunLauncher({"--profile", "default", "--landlock", "off", "--check"});
  EXPECT_NE(off.out.find("\nlandlock: off\n"), std::string::npos) << off.out;
}

TEST(Landlock, VerboseShowsTheStepAndWhatItUsed) {
  NCP_REQUIRE_USERNS();
  REQUIRE_LANDLOCK_ABI(1);
  LauncherRun run = RunLauncher({"--verbose", "--profile", "default", "--", "/bin/true"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(run.err.find("child  landlock: ABI "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("child  landlock    "), std::string::npos) << run.err;
  LauncherRun off =
      RunLauncher({"--verbose", "--profile", "default", "--landlock=off", "--", "/bin/true"});
  EXPECT_EQ(off.err.find("child  landlock"), std::string::npos) << off.err;
}

}  // namespace
}  // namespace ncp::testing
