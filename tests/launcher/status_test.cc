// Issue 12: what ncp-launch says about a sandbox's end. --time-limit kills the whole sandbox
// and exits 124 with one line on stderr; --json-status-fd and --info-fd carry JSON objects,
// one per line, that parse; bad status fds are refused before anything starts.
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "launcher/run_launcher.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

constexpr int kStatusFd = 7;

struct Pipe {
  base::UniqueFd read, write;
};

Pipe MakePipe() {
  int ends[2] = {-1, -1};
  EXPECT_EQ(pipe2(ends, O_CLOEXEC), 0);
  return {base::UniqueFd(ends[0]), base::UniqueFd(ends[1])};
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  return text;
}
constexpr int kInfoFd = 8;

// ncp-launch with a pipe's write end at kStatusFd and another's at kInfoFd; `status` and
// `info` get what it wrote there.
struct StatusRun {
  LauncherRun run;
  std::vector<nlohmann::json> status;
  std::vector<nlohmann::json> info;
};

std::vector<nlohmann::json> ParseLines(const std::string& text) {
  std::vector<nlohmann::json> objects;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) objects.push_back(nlohmann::json::parse(line));
  return objects;
}

StatusRun RunWithStatusFds(const std::vector<std::string>& args) {
  Pipe status = MakePipe(), info = MakePipe();
  RunOptions options;
  const int status_write = status.write.get(), info_write = info.write.get();
  options.before_exec = [status_write, info_write] {
    // Above both targets first: one end may already sit at the other's target number.
    const int status_high = fcntl(status_write, F_DUPFD, 100);
    const int info_high = fcntl(info_write, F_DUPFD, 100);
    if (status_high < 0 || info_high < 0 || dup2(status_high, kStatusFd) < 0 ||
        dup2(info_high, kInfoFd) < 0) {
      _exit(95);
    }
    close(status_high);
    close(info_high);
  };
  StatusRun out;
  out.run = RunLauncher(args, options);
  status.write.reset();
  info.write.reset();
  out.status = ParseLines(ReadAll(status.read.get()));
  out.info = ParseLines(ReadAll(info.read.get()));
  return out;
}

TEST(Status, TheTimeLimitKillsTheSandboxAndExits124) {
  NCP_REQUIRE_USERNS();
  StatusRun r = RunWithStatusFds({"--profile", "default", "--time-limit", "0.3", "--json-status-fd",
                                  std::to_string(kStatusFd), "--", "/bin/sleep", "30"});
  EXPECT_EQ(r.run.exit_code(), 124);
  EXPECT_EQ(r.run.err, "ncp-launch: time limit of 0.3 s reached: the sandbox was killed\n");
  ASSERT_EQ(r.status.size(), 2u);
  EXPECT_TRUE(r.status[0]["child-pid"].is_number_integer());
  EXPECT_EQ(r.status[1]["exit-code"], 124);
  EXPECT_EQ(r.status[1]["cause"], "time-limit");
  EXPECT_EQ(r.status[1]["signal"], 9);
  EXPECT_EQ(r.status[1]["time-limit-ms"], 300);
  EXPECT_GE(r.status[1]["run-us"].get<int64_t>(), 300000);
}

TEST(Status, TheStatusFdSaysHowTheProgramEnded) {
  NCP_REQUIRE_USERNS();
  StatusRun exited =
      RunWithStatusFds({"--profile", "default", "--json-status-fd", std::to_string(kStatusFd),
                        "--info-fd", std::to_string(kInfoFd), "--", "/bin/sh", "-c", "exit 3"});
  EXPECT_EQ(exited.run.exit_code(), 3);
  EXPECT_EQ(exited.run.err, "");
  ASSERT_EQ(exited.status.size(), 2u);
  const int64_t pid = exited.status[0]["child-pid"];
  EXPECT_GT(pid, 0);
  EXPECT_EQ(exited.status[1]["exit-code"], 3);
  EXPECT_EQ(exited.status[1]["cause"], "exited");
  EXPECT_EQ(exited.status[1]["signal"], 0);
  EXPECT_TRUE(exited.status[1]["setup-us"].is_number_integer());
  EXPECT_FALSE(exited.status[1].contains("time-limit-ms"));
  // The info fd: the same pid and the id of every namespace default unshares.
  ASSERT_EQ(exited.info.size(), 1u);
  EXPECT_EQ(exited.info[0]["child-pid"], pid);
  for (const char* ns : {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"}) {
    EXPECT_TRUE(exited.info[0][std::string(ns) + "-namespace"].is_number_integer()) << ns;
  }

  StatusRun killed =
      RunWithStatusFds({"--profile", "default", "--json-status-fd", std::to_string(kStatusFd), "--",
                        "/bin/sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(killed.run.signal(), SIGTERM);
  ASSERT_EQ(killed.status.size(), 2u);
  EXPECT_EQ(killed.status[1]["exit-code"], 128 + SIGTERM);
  EXPECT_EQ(killed.status[1]["cause"], "signal");
  EXPECT_EQ(killed.status[1]["signal"], SIGTERM);
}

TEST(Status, ACpuLimitIsAResourceLimitWithALineOnStderr) {
  NCP_REQUIRE_USERNS();
  StatusRun r =
      RunWithStatusFds({"--profile", "default", "--rlimit", "cpu=1:5", "--json-status-fd",
                        std::to_string(kStatusFd), "--", "/bin/sh", "-c", "while :; do :; done"});
  EXPECT_EQ(r.run.signal(), SIGXCPU);
  EXPECT_EQ(r.run.err,
            "ncp-launch: the program was killed by SIGXCPU: its CPU time limit (rlimit cpu) ran "
            "out\n");
  ASSERT_EQ(r.status.size(), 2u);
  EXPECT_EQ(r.status[1]["cause"], "resource-limit");
  EXPECT_EQ(r.status[1]["signal"], SIGXCPU);
}

// Nothing ran: no exit code, the failing step instead (as bubblewrap leaves exit-code out).
TEST(Status, ASetupFailureNamesTheStep) {
  NCP_REQUIRE_USERNS();
  StatusRun r = RunWithStatusFds({"--profile", "default", "--chdir", "/no/such/dir",
                                  "--json-status-fd", std::to_string(kStatusFd), "--info-fd",
                                  std::to_string(kInfoFd), "--", "/bin/true"});
  EXPECT_EQ(r.run.exit_code(), 125);
  ASSERT_EQ(r.status.size(), 1u);
  EXPECT_EQ(r.status[0]["cause"], "setup-failed");
  EXPECT_EQ(r.status[0]["step"], "change-directory");
  EXPECT_FALSE(r.status[0].contains("exit-code"));
  EXPECT_TRUE(r.info.empty());
}

TEST(Status, BadStatusFdsAreRefusedBeforeAnythingStarts) {
  // Not open in the caller.
  LauncherRun closed =
      RunLauncher({"--profile", "default", "--json-status-fd", "63", "--", "/bin/true"});
  EXPECT_EQ(closed.exit_code(), 125);
  EXPECT_EQ(closed.err, "ncp-launch: --json-status-fd=63: not an open fd\n");
  LauncherRun word = RunLauncher({"--info-fd", "three", "--", "/bin/true"});
  EXPECT_EQ(word.exit_code(), 125);
  EXPECT_EQ(word.err, "command line: error: info-fd: 'three' is not a descriptor number\n");
  // Given to the sandbox as well, by number or as another fd on the same pipe, or as its
  // stdout: it could write its own status (red team).
  Pipe status = MakePipe();
  RunOptions options;
  const int write_end = status.write.get();
  options.before_exec = [write_end] {
    if (dup2(write_end, kStatusFd) < 0 || dup2(write_end, kInfoFd) < 0) _exit(95);
  };
  const std::string refused =
      "ncp-launch: --json-status-fd=7: the sandbox gets this file too (as fd ";
  LauncherRun by_number =
      RunLauncher({"--profile", "default", "--json-status-fd", std::to_string(kStatusFd), "--fd",
                   "out=" + std::to_string(kStatusFd), "--", "/bin/true"},
                  options);
  EXPECT_EQ(by_number.exit_code(), 125);
  EXPECT_EQ(by_number.err, refused + "7), so it could write the status itself\n");
  LauncherRun same_pipe =
      RunLauncher({"--profile", "default", "--json-status-fd", std::to_string(kStatusFd), "--fd",
                   "out=" + std::to_string(kInfoFd), "--", "/bin/true"},
                  options);
  EXPECT_EQ(same_pipe.exit_code(), 125);
  EXPECT_EQ(same_pipe.err, refused + "8), so it could write the status itself\n");
  LauncherRun stdout_too =
      RunLauncher({"--profile", "default", "--json-status-fd", "1", "--", "/bin/true"});
  EXPECT_EQ(stdout_too.exit_code(), 125);
  EXPECT_EQ(stdout_too.err,
            "ncp-launch: --json-status-fd=1: the sandbox gets this file too (as fd 1), so it "
            "could write the status itself\n");
  LauncherRun both =
      RunLauncher({"--profile", "default", "--json-status-fd", std::to_string(kStatusFd),
                   "--info-fd", std::to_string(kInfoFd), "--", "/bin/true"},
                  options);
  EXPECT_EQ(both.exit_code(), 125);
  EXPECT_EQ(both.err,
            "ncp-launch: --json-status-fd and --info-fd name the same file (the info fd is "
            "closed after its one object)\n");
  // Profiles cannot name them: fds are the caller's, per run.
  TempDir dir;
  const std::string profile = WriteProfile(dir, "fd.profile", "json-status-fd = 1\n");
  LauncherRun in_profile = RunLauncher({"--profile", profile, "--", "/bin/true"});
  EXPECT_EQ(in_profile.exit_code(), 125);
  EXPECT_NE(in_profile.err.find("fd.profile:1: error:"), std::string::npos) << in_profile.err;
}

// Supervised kills (policy/seccomp_supervision.h): a call that the profile kills for ends the
// program with SIGSYS, as the kernel's kill would, and ncp-launch names the call and the line.
class SeccompKill : public ::testing::Test {
 protected:
  void SetUp() override {
    NCP_REQUIRE_USERNS();
    // Line 2 kills two calls by name; line 3 kills everything else the default refuses.
    by_name_ = WriteProfile(dir_, "by-name.profile",
                            "include = default\nseccomp-kill = ptrace, mknodat\n");
    by_default_ =
        WriteProfile(dir_, "by-default.profile",
                     "include = default\n# anything not allowed\nseccomp-default = kill\n");
  }
  TempDir dir_;
  std::string by_name_, by_default_;
};

TEST_F(SeccompKill, TheProgramDiesOfSigsysAndTheLineNamesTheCallAndTheRule) {
  StatusRun r = RunWithStatusFds({"--profile", by_name_, "--json-status-fd",
                                  std::to_string(kStatusFd), "--", "/usr/bin/mkfifo", "/tmp/f"});
  EXPECT_EQ(r.run.signal(), SIGSYS);
  EXPECT_EQ(r.run.err, "ncp-launch: the seccomp filter killed the program for mknodat (syscall " +
                           std::to_string(SYS_mknodat) + "), refused by " + by_name_ + ":2\n");
  ASSERT_EQ(r.status.size(), 2u);
  EXPECT_EQ(r.status[1]["cause"], "seccomp");
  EXPECT_EQ(r.status[1]["signal"], SIGSYS);
  EXPECT_EQ(r.status[1]["exit-code"], 128 + SIGSYS);
  EXPECT_EQ(r.status[1]["syscall"], "mknodat");
  EXPECT_EQ(r.status[1]["syscall-nr"], SYS_mknodat);
  EXPECT_EQ(r.status[1]["profile-line"], by_name_ + ":2");
}

TEST_F(SeccompKill, TheDefaultsLineWhenNoRuleNamesTheCall) {
  // The entry form: the filter goes on in ncp-launch's runtime, right before the entry.
  StatusRun r =
      RunWithStatusFds({"--profile", by_default_, "--json-status-fd", std::to_string(kStatusFd),
                        "--", std::string(NCP_TEST_ENTRIES_PATH) + ":Probe", "--params",
                        "pid;syscall:" + std::to_string(SYS_ptrace) + ";pid"});
  EXPECT_EQ(r.run.out, "pid=2\n");  // the call never returned
  EXPECT_EQ(r.run.signal(), SIGSYS);
  EXPECT_EQ(r.run.err, "ncp-launch: the seccomp filter killed the program for ptrace (syscall " +
                           std::to_string(SYS_ptrace) + "), refused by " + by_default_ + ":3\n");
  ASSERT_EQ(r.status.size(), 2u);
  EXPECT_EQ(r.status[1]["profile-line"], by_default_ + ":3");
}

TEST_F(SeccompKill, AnotherThreadsCallKillsTheWholeProgram) {
  LauncherRun r =
      RunLauncher({"--profile", by_name_, "--", std::string(NCP_TEST_ENTRIES_PATH) + ":Probe",
                   "--params", "thread-syscall:" + std::to_string(SYS_ptrace) + ";pid"});
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.signal(), SIGSYS);
  EXPECT_NE(r.err.find("killed the program for ptrace"), std::string::npos) << r.err;
}

TEST_F(SeccompKill, TheEntryHoldsNeitherTheListenerNorItsSocket) {
  // A program holding its own filter's listener could answer its own refused calls.
  LauncherRun r = RunLauncher({"--profile", by_name_, "--",
                               std::string(NCP_TEST_ENTRIES_PATH) + ":Probe", "--params", "fds"});
  EXPECT_EQ(r.out, "fds=0 1 2\n");
  EXPECT_EQ(r.exit_code(), 0) << r.err;
}

TEST_F(SeccompKill, ASigsysTheProgramSendsItselfIsNotReportedAsAKill) {
  StatusRun r =
      RunWithStatusFds({"--profile", by_name_, "--json-status-fd", std::to_string(kStatusFd), "--",
                        "/bin/sh", "-c", "kill -SYS $$"});
  EXPECT_EQ(r.run.signal(), SIGSYS);
  EXPECT_EQ(r.run.err, "");
  ASSERT_EQ(r.status.size(), 2u);
  EXPECT_EQ(r.status[1]["cause"], "signal");
  EXPECT_FALSE(r.status[1].contains("syscall"));
}

TEST_F(SeccompKill, ADescendantIsKilledAloneWithSigkill) {
  // The supervisor ends the calling process as the kernel's kill-process would, but its parent
  // sees SIGKILL, not SIGSYS (a signal sent from outside cannot be the filter's own); the
  // program goes on, and its end is its own.
  LauncherRun r = RunLauncher({"--profile", by_name_, "--seccomp-allow", "vfork, wait4", "--",
                               "/bin/sh", "-c", "/usr/bin/mkfifo /tmp/f; echo child=$?"});
  EXPECT_EQ(r.out, "child=137\n");
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(r.err, "Killed\n");  // the shell's word on its child; nothing from ncp-launch
}

}  // namespace
}  // namespace ncp::testing
