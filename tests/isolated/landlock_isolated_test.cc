// Landlock in the library's isolated starts (the request mode of ncp-launch): issue 9's item 3
// through OH_Ability_StartNativeChildProcessWithConfigs. launcher/landlock_test.cc covers the
// rest from the command line.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/unique_fd.h"
#include "isolated/isolated_support.h"

namespace ncp::testing {
namespace {

// A file the caller owns, passed read-only as "file" (fd 4: "file" sorts before "out"), cannot
// be reopened for writing through /proc/self/fd; reading it that way still works.
TEST(IsolatedLandlock, AReadOnlyFdCannotBeReopenedForWriting) {
  NCP_REQUIRE_USERNS();
  // Raw: glibc wraps no landlock call.
  if (syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U /* VERSION */) < 1) {
    GTEST_SKIP() << "no Landlock in this kernel";
  }
  TempDir dir;
  const std::string file = dir.path() + "/owned-by-caller";
  std::ofstream(file) << "original";
  base::UniqueFd read_only(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(read_only);
  FdList fds;
  fds.Add("file", read_only.get());
  IsolatedRun run = RunIsolated("Probe", "create:/proc/self/fd/4;open:/proc/self/fd/4",
                                ShippedProfile("default"), &fds);
  auto probe = ParseProbe(run.out);
  EXPECT_EQ(probe["create:/proc/self/fd/4"], "EACCES") << run.out;
  EXPECT_EQ(probe["open:/proc/self/fd/4"], "ok") << run.out;
  EXPECT_EQ(run.exit.exitCode, 0);
  std::ifstream in(file);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_EQ(contents.str(), "original");
}

}  // namespace
}  // namespace ncp::testing
