// The library's isolated starts run as the same host ids as ncp-launch's own (the fork server
// execs ncp-launch in request mode): an application that runs as root gets children that are
// not host root, without asking for isolationUid.
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "isolated/isolated_support.h"
#include "testing/processes.h"

namespace ncp::testing {
namespace {

TEST(IsolatedHostIds, ChildOfARootApplicationIsNotHostRoot) {
  NCP_REQUIRE_USERNS();
  Pipe in = MakePipe();
  FdList fds;
  fds.Add("in", in.read.get());
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  NCP_ChildProcessConfigs_SetProfile(configs, ShippedProfile("default").c_str());
  ExitWatcher watcher;
  const std::string entry = std::string(kTestLib) + ":WaitForByte";
  int32_t launcher = 0;
  ASSERT_EQ(OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), {nullptr, fds.list()},
                                                          configs, &launcher),
            NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  OH_Ability_DestroyChildProcessConfigs(configs);
  in.read.reset();
  std::vector<pid_t> sandbox;
  for (int i = 0; i < 500 && sandbox.size() != 2; ++i) {
    sandbox = Descendants(launcher);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(sandbox.size(), 2u);
  const HostUids uids = HostUidsOf(sandbox.back());
  ASSERT_NE(uids.real, -1);
  if (geteuid() == 0) {
    EXPECT_NE(uids.real, 0);
    EXPECT_NE(uids.effective, 0);
  } else {
    // An unprivileged application's child keeps the application's uid, as before.
    EXPECT_EQ(uids.real, static_cast<long>(getuid()));
  }
  ASSERT_EQ(write(in.write.get(), "x", 1), 1);
  EXPECT_EQ(watcher.Wait(launcher).exitCode, 0);
}

TEST(IsolatedHostIds, ChildCannotOpenTheHostsCorePatternForWriting) {
  NCP_REQUIRE_USERNS();
  const std::string probe = "create:/proc/sys/kernel/core_pattern";
  IsolatedRun run = RunIsolated("Probe", probe, "default");
  ASSERT_EQ(run.start_code, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  const std::string result = ParseProbe(run.out)[probe];
  EXPECT_TRUE(result == "EACCES" || result == "EROFS") << run.out;
}

}  // namespace
}  // namespace ncp::testing
