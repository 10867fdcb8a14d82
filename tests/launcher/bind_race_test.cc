// Issue 9, "nothing a sandbox can write may change how a later sandbox is built": a bind's
// source is checked by ncp-launch's parent and mounted later by its child. A sandbox running at
// the same time, with a writable bind of the folder the source lies in, can swap a symlink (or
// a folder) in between. What is mounted must be exactly what was checked.
//
// The deterministic tests stop ncp-launch between the two without a test hook (RunWithSwap: it
// blocks writing a --verbose line to a full stderr pipe), swap the path, and let it go on.
// NCP_TEST_LAUNCHER runs them against another ncp-launch (an older build).
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "run_launcher.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

namespace fs = std::filesystem;

const std::string kEntries = NCP_TEST_ENTRIES_PATH;

std::string Launcher() {
  const char* other = std::getenv("NCP_TEST_LAUNCHER");
  return other != nullptr ? other : NCP_LAUNCH_PATH;
}

// A folder the sandbox's host id can write, whichever it is (root's sandbox runs as a leased
// id): a write that lands there proves the mount, a refused one proves nothing.
void MakeWritableDir(const std::string& path) {
  fs::create_directories(path);
  ASSERT_EQ(chmod(path.c_str(), 0777), 0) << path;
}

// Policy state in a folder of the test's: a profile file named by path (ncp-launch keeps every
// profile file it read out of the sandbox's reach, for root and for everyone else alike). The
// file and folder are writable by every id, so that a write which lands there shows; a marker
// file tells the probe which folder it got.
std::string MakeStateFolder(const std::string& folder) {
  MakeWritableDir(folder);
  const std::string profile = folder + "/app.profile";
  std::ofstream(profile) << "include = default\n";
  chmod(profile.c_str(), 0666);
  std::ofstream(folder + "/state-marker") << "state\n";
  return profile;
}

// A harmless folder with a file of the same name, writable by every id.
void MakeHarmlessFolder(const std::string& folder) {
  MakeWritableDir(folder);
  std::ofstream(folder + "/app.profile") << "# harmless\n";
  chmod((folder + "/app.profile").c_str(), 0666);
}

// Replaces `path` by a symlink to `target` in one rename, as the red team's racer does.
void SwapInSymlink(const std::string& target, const std::string& path) {
  const std::string fresh = path + ".new";
  ASSERT_EQ(symlink(target.c_str(), fresh.c_str()), 0) << fresh;
  ASSERT_EQ(rename(fresh.c_str(), path.c_str()), 0) << path;
}

struct Outcome {
  int wait_status = -1;
  std::string out;
  std::string err;
  bool reached_check = false;  // the marker was seen before the swap
};

void ReadAll(int fd, std::string* text) {
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text->append(buf, static_cast<size_t>(n));
  }
}

std::string KernelWaitsIn(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/wchan");
  std::string where;
  std::getline(in, where);
  return where;
}

int BytesIn(int pipe_read_end) {
  int n = -1;
  return ioctl(pipe_read_end, FIONREAD, &n) == 0 ? n : -1;
}

// The barrier. With --verbose the parent logs one line right after resolving the plan (the
// first thing it writes to stderr) and the next ones after checking it (DescribeSources), all
// before it takes host ids, clones or opens a bind source. Its stderr is a pipe of one page,
// filled so that the first line fits and the second does not: the launcher then sleeps in that
// write, with the check done and nothing mounted, until the test reads. A line is one write of
// less than PIPE_BUF, so it goes in whole or not at all.
constexpr int kPipeSize = 4096;
constexpr int kRoomForTheFirstLine = 64;  // "ncp: parent resolve-and-load-filter  NNNNNN us\n"

// Runs `ncp-launch --verbose ARGS kEntries:Probe --params PROBES` (as the caller, with
// XDG_CACHE_HOME=`cache_home`); `between` runs while it is stopped between check and mounts.
Outcome RunWithSwap(const std::vector<std::string>& args, const std::string& probes,
                    const std::string& cache_home, const std::function<void()>& between) {
  int out_pipe[2], err_pipe[2];
  Outcome outcome;
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      fcntl(err_pipe[1], F_SETPIPE_SZ, kPipeSize) != kPipeSize) {
    ADD_FAILURE() << "pipes: " << strerror(errno);
    return outcome;
  }
  const std::string filler(kPipeSize - kRoomForTheFirstLine, '.');
  if (write(err_pipe[1], filler.data(), filler.size()) != static_cast<ssize_t>(filler.size())) {
    ADD_FAILURE() << "fill the pipe";
    return outcome;
  }
  std::vector<std::string> argv_strings = {Launcher(), "--verbose"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  argv_strings.insert(argv_strings.end(), {kEntries + ":Probe", "--params", probes});
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (dup2(out_pipe[1], 1) < 0 || dup2(err_pipe[1], 2) < 0) _exit(94);
    setenv("XDG_CACHE_HOME", cache_home.c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    alarm(120);  // a hang ends in SIGALRM, not a stuck test
    execv(argv[0], argv.data());
    _exit(95);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  // Waiting for a state, not for a time: the launcher either blocks in the pipe or ends. The
  // bound only turns a hang into a failure.
  std::string waits;
  int in_pipe = -1;
  for (int i = 0; i < 100000; ++i) {
    waits = KernelWaitsIn(pid);
    in_pipe = BytesIn(err_pipe[0]);
    siginfo_t info{};
    // "pipe_write", or "anon_pipe_write" on newer kernels.
    if (waits.ends_with("pipe_write") ||
        (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)) {
      break;
    }
    usleep(1000);
  }
  if (waits.ends_with("pipe_write")) {
    const int first_line = in_pipe - static_cast<int>(filler.size());
    between();
    ReadAll(err_pipe[0], &outcome.err);
    outcome.err.erase(0, filler.size());
    // Exactly the first line was written when the test swapped: the check was done, nothing
    // after it had run.
    const std::string line = outcome.err.substr(0, static_cast<size_t>(std::max(first_line, 0)));
    outcome.reached_check = line.find("parent resolve-and-load-filter") != std::string::npos &&
                            line.find('\n') == line.size() - 1;
  } else {
    ReadAll(err_pipe[0], &outcome.err);
  }
  ReadAll(out_pipe[0], &outcome.out);
  close(out_pipe[0]);
  close(err_pipe[0]);
  while (waitpid(pid, &outcome.wait_status, 0) < 0 && errno == EINTR) {
  }
  return outcome;
}

int ExitCode(const Outcome& o) {
  return WIFEXITED(o.wait_status) ? WEXITSTATUS(o.wait_status) : -1;
}

// The arguments of a victim run whose policy state is `profile`.
std::vector<std::string> VictimArgs(const std::string& profile, const std::string& bind_option,
                                    const std::string& bind) {
  return {"--profile", profile, bind_option, bind};
}

constexpr char kRewriteProfile[] = "create:/mnt/x/app.profile;open:/mnt/x/state-marker";

// The red team's probe: `link` is a symlink to a harmless folder when checked, to the folder
// holding policy state when mounted.
TEST(BindSourceRace, ASymlinkSwappedAfterTheCheckIsRefused) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  const std::string harmless = root + "/harmless", state = root + "/state";
  MakeHarmlessFolder(harmless);
  const std::string profile = MakeStateFolder(state);
  ASSERT_EQ(symlink(harmless.c_str(), (root + "/link").c_str()), 0);

  Outcome o = RunWithSwap(VictimArgs(profile, "--bind", root + "/link:/mnt/x"), kRewriteProfile,
                          root, [&] { SwapInSymlink(state, root + "/link"); });
  ASSERT_TRUE(o.reached_check) << o.err;
  EXPECT_EQ(ExitCode(o), 125) << o.out << o.err;
  EXPECT_NE(o.err.find("bind " + root + "/link: is not what ncp-launch checked"), std::string::npos)
      << o.err;
  EXPECT_EQ(o.out.find("app.profile=ok"), std::string::npos) << o.out;
}

// The variant: the caller names a real folder, which the racer replaces by a symlink.
TEST(BindSourceRace, AFolderReplacedByASymlinkAfterTheCheckIsRefused) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  const std::string folder = root + "/d", state = root + "/state";
  MakeHarmlessFolder(folder);
  const std::string profile = MakeStateFolder(state);

  Outcome o =
      RunWithSwap(VictimArgs(profile, "--bind", folder + ":/mnt/x"), kRewriteProfile, root, [&] {
        ASSERT_EQ(rename(folder.c_str(), (root + "/d-old").c_str()), 0);
        SwapInSymlink(state, folder);
      });
  ASSERT_TRUE(o.reached_check) << o.err;
  EXPECT_EQ(ExitCode(o), 125) << o.out << o.err;
  EXPECT_NE(o.err.find("bind " + folder + ": is not what ncp-launch checked"), std::string::npos)
      << o.err;
  EXPECT_EQ(o.out.find("app.profile=ok"), std::string::npos) << o.out;
}

// A source that did not exist when checked (nothing was checked about it) and is there by the
// time of the mount is refused too, and skipped for --bind-try.
TEST(BindSourceRace, ASourceThatAppearsAfterTheCheckIsRefused) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  const std::string state = root + "/state";
  const std::string profile = MakeStateFolder(state);
  for (const std::string option : {"--bind", "--bind-try"}) {
    const std::string link = root + "/" + option.substr(2);
    Outcome o = RunWithSwap(VictimArgs(profile, option, link + ":/mnt/x"), kRewriteProfile, root,
                            [&] { SwapInSymlink(state, link); });
    ASSERT_TRUE(o.reached_check) << o.err;
    if (option == "--bind") {
      EXPECT_EQ(ExitCode(o), 125) << o.out << o.err;
      EXPECT_NE(o.err.find("bind " + link + ": is not what ncp-launch checked (it did not exist"),
                std::string::npos)
          << o.err;
    } else {
      // Skipped: /mnt/x is not there, so the probe finds nothing.
      EXPECT_EQ(ExitCode(o), 0) << o.err;
      EXPECT_NE(o.out.find("create:/mnt/x/app.profile=ENOENT"), std::string::npos) << o.out;
    }
    EXPECT_EQ(o.out.find("app.profile=ok"), std::string::npos) << option << o.out;
  }
}

// The pins that keep policy state in place (policy/policy_state.h) are binds too: a folder
// between the bind's source and the profile, replaced after the check by a symlink to a decoy,
// would pin the decoy and leave the real profile writable under another name.
TEST(BindSourceRace, APolicyStatePinSwappedAfterTheCheckIsRefused) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  const std::string home = root + "/home";
  MakeWritableDir(home);
  MakeWritableDir(home + "/proj");
  const std::string profile = MakeStateFolder(home + "/proj/policy");
  MakeHarmlessFolder(root + "/decoy/policy");

  Outcome o =
      RunWithSwap(VictimArgs(profile, "--bind", home + ":/mnt/x"),
                  "create:/mnt/x/proj-real/policy/app.profile", root, [&] {
                    ASSERT_EQ(rename((home + "/proj").c_str(), (home + "/proj-real").c_str()), 0);
                    SwapInSymlink(root + "/decoy", home + "/proj");
                  });
  ASSERT_TRUE(o.reached_check) << o.err;
  EXPECT_NE(o.err.find("policy state " + profile + " is read-only"), std::string::npos)
      << "the profile was not covered, the test proves nothing: " << o.err;
  EXPECT_EQ(ExitCode(o), 125) << o.out << o.err;
  EXPECT_NE(o.err.find("bind " + home + "/proj: is not what ncp-launch checked"), std::string::npos)
      << o.err;
  EXPECT_EQ(o.out.find("app.profile=ok"), std::string::npos) << o.out;
}

// The side effect the red team saw: when the race goes the other way (the bind holds policy
// state when checked, a harmless folder when mounted), the pins' mount points were created on
// the host, inside the harmless folder. Nothing is created now.
TEST(BindSourceRace, PinsCreateNothingOnTheHostWhenTheRaceGoesTheOtherWay) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  const std::string home = root + "/home", harmless = root + "/harmless";
  MakeWritableDir(home + "/proj");
  const std::string profile = MakeStateFolder(home + "/proj/policy");
  MakeWritableDir(harmless);
  ASSERT_EQ(symlink(home.c_str(), (root + "/link").c_str()), 0);

  Outcome o = RunWithSwap(VictimArgs(profile, "--bind", root + "/link:/mnt/x"), "pid", root,
                          [&] { SwapInSymlink(harmless, root + "/link"); });
  ASSERT_TRUE(o.reached_check) << o.err;
  EXPECT_NE(o.err.find("policy state " + profile + " is read-only"), std::string::npos) << o.err;
  EXPECT_EQ(ExitCode(o), 125) << o.out << o.err;
  EXPECT_TRUE(fs::is_empty(harmless)) << o.err;
}

// The red team's racer, best effort: a process of the caller's flips `link` between a harmless
// folder and the one holding policy state as fast as it can, while victims start with
// `--bind link:/mnt/x`. Each victim runs with one of the two as checked (the profile then
// covered read-only) or is refused; none ever gets the profile writable.
TEST(BindSourceRace, TheRedTeamsRacerNeverReachesThePolicyState) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  const std::string harmless = root + "/harmless", state = root + "/state";
  const std::string link = root + "/link";
  MakeHarmlessFolder(harmless);
  const std::string profile = MakeStateFolder(state);
  const std::string targets[] = {harmless, state};
  ASSERT_EQ(symlink(harmless.c_str(), link.c_str()), 0);
  const pid_t racer = fork();
  if (racer == 0) {
    const std::string fresh = link + ".new";
    for (unsigned i = 0;; ++i) {
      unlink(fresh.c_str());
      if (symlink(targets[i % 2].c_str(), fresh.c_str()) != 0) _exit(1);
      if (rename(fresh.c_str(), link.c_str()) != 0) _exit(2);
    }
  }
  ASSERT_GT(racer, 0);
  int harmless_runs = 0, covered_runs = 0, refused = 0;
  for (int attempt = 0; attempt < 40; ++attempt) {
    RunOptions options;
    options.binary = Launcher();
    options.before_exec = [] { alarm(60); };
    std::vector<std::string> args = VictimArgs(profile, "--bind", link + ":/mnt/x");
    args.insert(args.end(), {kEntries + ":Probe", "--params", kRewriteProfile});
    LauncherRun run = RunLauncher(args, options);
    const bool got_state = run.out.find("state-marker=ok") != std::string::npos;
    const bool wrote = run.out.find("app.profile=ok") != std::string::npos;
    if (run.exit_code() == 125) {
      ++refused;
    } else if (got_state) {
      ++covered_runs;
    } else {
      ++harmless_runs;
    }
    EXPECT_TRUE(run.exit_code() == 0 || run.exit_code() == 125) << run.err;
    if (got_state && wrote) {
      ADD_FAILURE() << "attempt " << attempt << " could write the profile: " << run.out;
      break;
    }
  }
  kill(racer, SIGKILL);
  waitpid(racer, nullptr, 0);
  // Not an assertion (no timing in tests): how the race went, for whoever reads the log.
  std::printf("racer: %d runs got the harmless folder, %d the covered state, %d refused\n",
              harmless_runs, covered_runs, refused);
}

}  // namespace
}  // namespace ncp::testing
