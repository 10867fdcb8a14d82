// --chdir: the program's working directory is a path inside the sandbox, checked as the
// sandbox's ids after the pivot.
#include <string>

#include "run_launcher.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

TEST(Chdir, TheProgramStartsInTheDirectoryInsideTheSandbox) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = RunLauncher({"--profile", "default", "--chdir", "/usr/bin", "--", "/bin/pwd"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "/usr/bin\n");
  // Without it: the sandbox's root, never the caller's directory (absent in the sandbox).
  run = RunLauncher({"--profile", "default", "--", "/bin/pwd"});
  EXPECT_EQ(run.out, "/\n") << run.err;
}

TEST(Chdir, ADirectoryThatIsNotInTheSandboxStopsTheStart) {
  NCP_REQUIRE_USERNS();
  TempDir dir;  // exists on the host, not in the sandbox
  LauncherRun run = RunLauncher({"--profile", "default", "--chdir", dir.path(), "--", "/bin/true"});
  EXPECT_EQ(run.exit_code(), 125) << run.err;
  EXPECT_NE(run.err.find("change-directory"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("No such file or directory"), std::string::npos) << run.err;
}

TEST(Chdir, ARelativePathIsAProfileError) {
  LauncherRun run = RunLauncher({"--chdir", "tmp", "--check"});
  EXPECT_EQ(run.exit_code(), 125) << run.err;
  EXPECT_EQ(run.err, "command line: error: chdir: 'tmp' is not an absolute path\n");
}

}  // namespace
}  // namespace ncp::testing
