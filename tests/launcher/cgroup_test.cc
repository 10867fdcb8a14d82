// Issue 12: cgroup v2 limits for a whole sandbox. Where this host delegates a cgroup v2 group
// with the controllers, the sandbox runs in a group of its own with the limits; where it does
// not (this project's CI machines: a v1/v2 hybrid whose v2 side has no controllers), `required`
// stops the start with one line naming what is missing and best-effort runs without them.
#include <string>

#include "launcher/run_launcher.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

const std::vector<std::string> kLimits = {"--profile", "default",       "--cgroup-memory",
                                          "256M",      "--cgroup-pids", "64"};

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// --check's cgroup line, and whether it says the limits can be had here.
std::string CgroupLine(bool* available) {
  LauncherRun check = RunLauncher(With(kLimits, {"--check"}));
  EXPECT_EQ(check.exit_code(), 0) << check.err;
  const size_t at = check.out.find("cgroup: memory 268435456 pids 64 (best-effort): ");
  EXPECT_NE(at, std::string::npos) << check.out;
  const std::string line = check.out.substr(at, check.out.find('\n', at) - at);
  *available = line.find(": available in ") != std::string::npos;
  return line;
}

TEST(Cgroup, RequiredLimitsRunOnlyWhereTheHostCanGiveThem) {
  NCP_REQUIRE_USERNS();
  bool available = false;
  const std::string line = CgroupLine(&available);
  LauncherRun run =
      RunLauncher(With(kLimits, {"--cgroup", "required", "--", "/bin/cat", "/proc/self/cgroup"}));
  if (available) {
    EXPECT_EQ(run.exit_code(), 0) << run.err;
    EXPECT_NE(run.out.find("ncp-sandbox-"), std::string::npos) << run.out;
    return;
  }
  // Fail closed: nothing ran, and the one line says what is missing, as --check does.
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_EQ(run.out, "");
  const std::string reason = line.substr(line.find("not available here: ") + 20);
  EXPECT_EQ(run.err, "ncp-launch: cgroup=required, but " + reason + "\n");
}

TEST(Cgroup, BestEffortRunsWithoutThemAndSaysWhyOnlyWhenVerbose) {
  NCP_REQUIRE_USERNS();
  bool available = false;
  CgroupLine(&available);
  if (available) GTEST_SKIP() << "this host delegates cgroup v2 controllers";
  LauncherRun quiet = RunLauncher(With(kLimits, {"--", "/bin/echo", "ran"}));
  EXPECT_EQ(quiet.exit_code(), 0) << quiet.err;
  EXPECT_EQ(quiet.out, "ran\n");
  EXPECT_EQ(quiet.err, "");
  LauncherRun verbose = RunLauncher(With(kLimits, {"--verbose", "--", "/bin/echo", "ran"}));
  EXPECT_NE(verbose.err.find("cgroup limits not applied: "), std::string::npos) << verbose.err;
}

TEST(Cgroup, BadValuesNameTheOption) {
  LauncherRun memory = RunLauncher({"--cgroup-memory", "1k", "--check"});
  EXPECT_EQ(memory.exit_code(), 125);
  EXPECT_EQ(memory.err,
            "command line: error: cgroup-memory: bad size '1k' (bytes with optional K/M/G, at "
            "least 1M)\n");
  LauncherRun mode = RunLauncher({"--cgroup", "always", "--check"});
  EXPECT_EQ(mode.err,
            "command line: error: cgroup: 'always' is not a mode (best-effort, required)\n");
  LauncherRun cpu = RunLauncher({"--cgroup-cpu", "0", "--check"});
  EXPECT_EQ(cpu.err, "command line: error: cgroup-cpu: '0' is not a percentage from 1 to 100000\n");
  LauncherRun none = RunLauncher({"--profile", "default", "--check"});
  EXPECT_NE(none.out.find("cgroup: none (no cgroup-memory, cgroup-pids or cgroup-cpu)\n"),
            std::string::npos)
      << none.out;
}

}  // namespace
}  // namespace ncp::testing
