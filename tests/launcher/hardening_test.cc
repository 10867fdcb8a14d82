// ncp-launch against hostile input and a hostile program (issue 9 items 5 and 6): fds the caller
// never had, a program forging init's report, request fds that are not a small regular file, a
// signal during setup, and a privileged copy asked for the internal entry mode.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/protocol/wire.h"
#include "run_launcher.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

const std::string kEntries = NCP_TEST_ENTRIES_PATH;

// Every fd above 2 closed, so that `--fd x=N` names a number that is closed in the caller.
void CloseAllAbove2() { close_range(3U, ~0U, 0); }

std::vector<std::string> DefaultProfile(std::vector<std::string> rest) {
  std::vector<std::string> args = {"--profile", ShippedProfile("default"), "--seccomp-allow",
                                   "vfork, wait4"};
  args.insert(args.end(), rest.begin(), rest.end());
  return args;
}

// Numbers the launcher's own pipes and memfds took before the fix (3, 6, 8), and more.
constexpr int kClosedNumbers[] = {3, 4, 5, 6, 7, 8, 9, 20};

TEST(Hardening, FdClosedInTheCallerIsRefusedBeforeAnythingIsBuilt) {
  for (int n : kClosedNumbers) {
    SCOPED_TRACE("fd " + std::to_string(n));
    RunOptions options;
    options.before_exec = CloseAllAbove2;
    const std::string fd = "x=" + std::to_string(n);
    LauncherRun program =
        RunLauncher(DefaultProfile({"--verbose", "--fd", fd, "--", "/bin/true"}), options);
    EXPECT_EQ(program.exit_code(), 125) << program.err;
    EXPECT_NE(
        program.err.find("ncp-launch: --fd " + fd + ": fd " + std::to_string(n) + " is not open"),
        std::string::npos)
        << program.err;
    // No clone: nothing of the sandbox was started.
    EXPECT_EQ(program.err.find("parent clone"), std::string::npos) << program.err;
    LauncherRun entry = RunLauncher(
        DefaultProfile({"--verbose", "--fd", fd, kEntries + ":EchoParams", "--params", "ran"}),
        options);
    EXPECT_EQ(entry.exit_code(), 125) << entry.err;
    EXPECT_NE(entry.err.find("is not open"), std::string::npos) << entry.err;
    EXPECT_EQ(entry.err.find("parent clone"), std::string::npos) << entry.err;
    EXPECT_EQ(entry.out, "");
  }
}

TEST(Hardening, DirectoryFdIsRefused) {
  RunOptions options;
  options.before_exec = [] {
    CloseAllAbove2();
    open("/", O_RDONLY | O_DIRECTORY);  // lands at 3
  };
  LauncherRun run = RunLauncher(DefaultProfile({"--fd", "root=3", "--", "/bin/true"}), options);
  EXPECT_EQ(run.exit_code(), 125) << run.err;
  EXPECT_NE(run.err.find("fd 3 is a directory"), std::string::npos) << run.err;
}

TEST(Hardening, HugeFdNumberIsACleanError) {
  for (const char* n : {"2147483647", "1048576", "4294967296"}) {
    LauncherRun run = RunLauncher(
        DefaultProfile({"--verbose", "--fd", std::string("x=") + n, "--", "/bin/true"}));
    EXPECT_EQ(run.exit_code(), 125) << run.err;
    EXPECT_NE(run.err.find("fd: x="), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("parent clone"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("runtime error"), std::string::npos) << run.err;  // UBSan
  }
}

// The probe from the issue: the program writes an InitStatus-shaped record ({0, 0}: "exited
// 0") on every fd it has, and on init's fds through /proc/1/fd, then exits 7. ncp-launch must
// report 7, or refuse the start (125); never 0.
TEST(Hardening, ProgramCannotForgeInitsReport) {
  NCP_REQUIRE_USERNS();
  if (access("/bin/bash", X_OK) != 0) GTEST_SKIP() << "needs /bin/bash";
  const std::string forge =
      "for f in /proc/self/fd/* /proc/1/fd/*; do n=${f##*/}; "
      "printf '\\0\\0\\0\\0\\0\\0\\0\\0' >&$n; printf '\\0\\0\\0\\0\\0\\0\\0\\0' >$f; "
      "done 2>/dev/null; exit 7";
  for (int n : kClosedNumbers) {
    SCOPED_TRACE("fd " + std::to_string(n));
    RunOptions options;
    options.before_exec = CloseAllAbove2;
    LauncherRun run = RunLauncher(
        DefaultProfile({"--fd", "x=" + std::to_string(n), "--", "/bin/bash", "-c", forge}),
        options);
    ASSERT_TRUE(run.exited()) << run.wait_status;
    EXPECT_NE(run.exit_code(), 0) << "a forged report was believed: " << run.err;
  }
  // Handed open fds (and none): the program runs, and its own status is what is reported.
  RunOptions options;
  options.before_exec = [] {
    CloseAllAbove2();
    for (int i = 0; i < 8; ++i) open("/dev/null", O_RDWR);  // 3..10
  };
  LauncherRun run = RunLauncher(
      DefaultProfile({"--fd", "a=3", "--fd", "b=6", "--fd", "c=8", "--", "/bin/bash", "-c", forge}),
      options);
  EXPECT_EQ(run.exit_code(), 7) << run.err;
  LauncherRun bare = RunLauncher(DefaultProfile({"--", "/bin/bash", "-c", forge}));
  EXPECT_EQ(bare.exit_code(), 7) << bare.err;
}

// Init holds the status pipe's write end; it is non-dumpable from before the program exists, so
// /proc/1/fd/N cannot be opened from inside (listing the directory is a matter of its owner).
TEST(Hardening, InitsFdsAreNotReachableThroughProc) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher(DefaultProfile(
      {"--", "/bin/sh", "-c",
       "for n in 0 1 2 3 4 5 6 7 8 9 10; do (echo x >/proc/1/fd/$n) 2>/dev/null && echo wrote$n; "
       "done; echo done"}));
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "done\n");
}

// Sanitizer runtimes reserve terabytes of shadow memory and cannot start under RLIMIT_AS.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kLimitAddressSpace = false;
#else
constexpr bool kLimitAddressSpace = true;
#endif

// --request-fd on something the library never sends: refused before a byte is read or a
// byte of its size allocated, under an address-space limit far below the file's size (plain
// builds).
TEST(Hardening, RequestFdMustBeASmallRegularFile) {
  TempDir dir;
  const std::string fifo = dir.path() + "/fifo";
  const std::string sparse = dir.path() + "/sparse";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  {
    const int fd = open(sparse.c_str(), O_RDWR | O_CREAT, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, off_t{1} << 40), 0) << "1 TB sparse file";
    close(fd);
  }
  struct Case {
    std::string path;
    int flags;
    std::string message;
  };
  const Case cases[] = {
      {fifo, O_RDWR, "the launch request is not a regular file"},
      {sparse, O_RDONLY, "the launch request is 1099511627776 bytes, more than the"},
      {dir.path(), O_RDONLY | O_DIRECTORY, "the launch request is not a regular file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    RunOptions options;
    options.before_exec = [&] {
      CloseAllAbove2();
      const int fd = open(c.path.c_str(), c.flags);
      if (fd != 3) _exit(90);
      if (kLimitAddressSpace) {
        const rlimit as{size_t{1} << 30, size_t{1} << 30};
        setrlimit(RLIMIT_AS, &as);
      }
    };
    LauncherRun run =
        RunLauncher({"--request-fd=3", "--profile", ShippedProfile("default")}, options);
    EXPECT_EQ(run.exit_code(), 125) << run.err;
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
  }
}

// Reads `fd` until `marker` appears (true) or EOF/10 s pass (false); appends what it read.
bool ReadUntil(int fd, const std::string& marker, std::string* text) {
  char buf[512];
  while (text->find(marker) == std::string::npos) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 10000) <= 0) return false;
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    text->append(buf, static_cast<size_t>(n));
  }
  return true;
}

// A SIGTERM that reaches ncp-launch while the sandbox is being built (its child has reported
// its first step, init has no handlers yet) ends the sandbox with SIGTERM, every time.
TEST(Hardening, SignalDuringSetupEndsTheSandbox) {
  NCP_REQUIRE_USERNS();
  std::vector<std::string> args = DefaultProfile(
      {"--verbose", "--seccomp-allow", "clock_nanosleep, nanosleep", "--", "/bin/sleep", "60"});
  args.insert(args.begin(), NCP_LAUNCH_PATH);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (int round = 0; round < 60; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int err_pipe[2];
    ASSERT_EQ(pipe2(err_pipe, O_CLOEXEC), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      dup2(err_pipe[1], 2);
      execv(argv[0], argv.data());
      _exit(97);
    }
    close(err_pipe[1]);
    std::string err;
    // The child's first step line: the parent has its forwarding handlers, init has none.
    const bool in_setup = ReadUntil(err_pipe[0], "child  ", &err);
    kill(pid, SIGTERM);
    const int pidfd = OpenPidfd(pid);
    std::string rest;
    ReadUntil(err_pipe[0], "\x01never", &rest);  // to EOF: the sandbox's copies are gone
    close(err_pipe[0]);
    const bool ended = WaitForEnd(pidfd);
    if (!ended) kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(in_setup) << err;
    ASSERT_TRUE(ended) << "the signal was lost; the program kept running\n" << err << rest;
    ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status << "\n" << err << rest;
    ASSERT_EQ(WTERMSIG(status), SIGTERM);
  }
}

// A request on fd 3 that makes the test entry print "loaded" when the internal entry mode runs.
std::string LoadedRequest() {
  core::WireRequest request;
  request.kind = core::ChildKind::kArgs;
  request.library = kEntries;
  request.symbol = "SayOnStdout";
  request.params = "loaded";
  request.process_name = "t";
  request.working_directory = "/";
  return core::EncodeRequest(request);
}

// The internal entry mode loads the library its arguments name: a setuid copy refuses it before
// anything is loaded.
TEST(Hardening, SetuidCopyRefusesTheInternalEntryMode) {
  TempDir dir;
  const std::string copy = dir.path() + "/ncp-entry";
  std::filesystem::copy_file(NCP_ENTRY_PATH, copy);
  ASSERT_EQ(chmod(copy.c_str(), 04755), 0);
  const std::string bytes = LoadedRequest();
  RunOptions options;
  options.binary = copy;
  options.before_exec = [&] {
    CloseAllAbove2();
    const int fd = memfd_create("request", 0);
    if (fd != 3 || write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
      _exit(90);
    }
  };
  LauncherRun run =
      RunLauncher({"--internal-entry", "-1", "0", "0", kEntries, "-1", "-1", "-", "-1"}, options);
  EXPECT_EQ(run.exit_code(), 125) << run.err << run.out;
  EXPECT_NE(run.err.find("setuid"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
  // The same request through the unprivileged binary is loaded: the refusal above is the bit's.
  options.binary = NCP_ENTRY_PATH;
  LauncherRun plain =
      RunLauncher({"--internal-entry", "-1", "0", "0", kEntries, "-1", "-1", "-", "-1"}, options);
  EXPECT_EQ(plain.out, "loaded\n") << plain.err;
}

// The same with file capabilities instead of the setuid bit (setting them needs root).
TEST(Hardening, FileCapabilityCopyRefusesTheInternalEntryMode) {
  if (geteuid() != 0) GTEST_SKIP() << "setting file capabilities needs CAP_SETFCAP";
  TempDir dir;
  const std::string copy = dir.path() + "/ncp-entry";
  std::filesystem::copy_file(NCP_ENTRY_PATH, copy);
  // security.capability, revision 2, effective: CAP_NET_RAW (13) permitted.
  const uint32_t caps[5] = {0x02000001, 1U << 13, 0, 0, 0};
  ASSERT_EQ(setxattr(copy.c_str(), "security.capability", caps, sizeof caps, 0), 0)
      << strerror(errno);
  const std::string bytes = LoadedRequest();
  RunOptions options;
  options.binary = copy;
  options.before_exec = [&] {
    CloseAllAbove2();
    const int fd = memfd_create("request", 0);
    if (fd != 3 || write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
      _exit(90);
    }
  };
  LauncherRun run =
      RunLauncher({"--internal-entry", "-1", "0", "0", kEntries, "-1", "-1", "-", "-1"}, options);
  EXPECT_EQ(run.exit_code(), 125) << run.err << run.out;
  EXPECT_NE(run.err.find("file capabilities"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

}  // namespace
}  // namespace ncp::testing
