// The sandbox's fds 0-2, which it inherits without any --fd: a directory there is refused like
// a passed one; and what a root caller's sandbox can do with root's (launcher/README.md, Known
// limits): it runs as a leased unprivileged host id, so it writes through the fds it was given
// but cannot reopen root's 0600/0644 objects through /proc/self/fd; --host-root can.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "run_launcher.h"
#include "testing/probe_output.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

const std::string kProbe = NCP_LANDLOCK_PROBE_PATH;

// The probe under the default profile, with no filter in the way.
LauncherRun Probe(const std::vector<std::string>& options, const std::string& probe,
                  const RunOptions& run_options = {}) {
  std::vector<std::string> args = {
      "--profile",         ShippedProfile("default"),
      "--seccomp-default", "allow",
      "--ro-bind",         std::filesystem::path(kProbe).parent_path().string()};
  args.insert(args.end(), options.begin(), options.end());
  for (const std::string& o : SanitizedProgramOptions()) args.push_back(o);
  args.insert(args.end(), {"--", kProbe, probe});
  return RunLauncher(args, run_options);
}

// The host's root on stdin: "etc/passwd" beneath it was readable before (Landlock even granted
// reading beneath a passed directory; without Landlock everything the id may read was open).
TEST(StandardFds, ADirectoryOnStdinIsRefusedBeforeAnythingStarts) {
  NCP_REQUIRE_USERNS();
  RunOptions options;
  options.before_exec = [] {
    const int root = open("/", O_RDONLY | O_DIRECTORY);
    if (root < 0 || dup2(root, 0) < 0) _exit(95);
  };
  LauncherRun run = Probe({}, "readat:0:etc/passwd", options);
  EXPECT_EQ(run.exit_code(), 125) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "ncp-launch: fd 0 is a directory: it would lead out of the sandbox's root\n");
}

TEST(StandardFds, ALeasedSandboxCannotReopenRootsStderrButHostRootCan) {
  if (geteuid() != 0) GTEST_SKIP() << "a user's sandbox keeps the user's id; run as root";
  NCP_REQUIRE_USERNS();
  // RunLauncher's stderr is a file root creates 0666 & ~umask: with 022, root's alone.
  const mode_t old_umask = umask(022);
  struct RestoreUmask {
    mode_t mask;
    ~RestoreUmask() { umask(mask); }
  } restore{old_umask};
  LauncherRun leased = Probe({}, "write:/dev/stderr");
  ASSERT_EQ(leased.exit_code(), 0) << leased.err;
  EXPECT_EQ(ParseProbe(leased.out)["write:/dev/stderr"], "EACCES");
  EXPECT_EQ(leased.err, "");

  LauncherRun host_root = Probe({"--host-root"}, "write:/dev/stderr");
  ASSERT_EQ(host_root.exit_code(), 0) << host_root.err;
  EXPECT_EQ(ParseProbe(host_root.out)["write:/dev/stderr"], "ok");
  EXPECT_EQ(host_root.err, "X");
}

}  // namespace
}  // namespace ncp::testing
