// The `landlock` key: its modes, its errors, the plan and its serialisation.
#include <gtest/gtest.h>

#include "policy/describe.h"
#include "test_util.h"

namespace ncp::policy {
namespace {

TEST(LandlockOption, BestEffortUnlessSaidOtherwise) {
  EXPECT_EQ(testing::PlanFrom("unshare-all\n").landlock.mode, LandlockMode::kBestEffort);
  EXPECT_EQ(testing::PlanFrom("unshare-all\nlandlock = off\n").landlock,
            (LandlockPlan{LandlockMode::kOff, 0}));
  EXPECT_EQ(testing::PlanFrom("unshare-all\nlandlock = required\n").landlock,
            (LandlockPlan{LandlockMode::kRequired, 3}));
  EXPECT_EQ(testing::PlanFrom("unshare-all\nlandlock = required:6\n").landlock,
            (LandlockPlan{LandlockMode::kRequired, 6}));
  // The last one wins, as with every other key.
  EXPECT_EQ(
      testing::PlanFrom("unshare-all\nlandlock = required\nlandlock = best-effort\n").landlock.mode,
      LandlockMode::kBestEffort);
}

TEST(LandlockOption, ShippedProfilesAreBestEffort) {
  for (const char* name : {"default", "network", "strict", "audit"}) {
    EXPECT_EQ(testing::PlanFrom(std::string("include = ") + name + "\n").landlock.mode,
              LandlockMode::kBestEffort)
        << name;
  }
}

TEST(LandlockOption, BadValuesNameTheLine) {
  EXPECT_NE(testing::ResolveDiagnostics("unshare-all\nlandlock = maybe\n")
                .find("test.profile:2: error: landlock: 'maybe' is not a mode"),
            std::string::npos);
  for (const char* bad : {"required:0", "required:8", "required:x", "required:"}) {
    EXPECT_NE(testing::ResolveDiagnostics(std::string("unshare-all\nlandlock = ") + bad + "\n")
                  .find("the ABI must be a number from 1 to 7"),
              std::string::npos)
        << bad;
  }
}

TEST(LandlockOption, RequiredNeedsAMountNamespace) {
  EXPECT_NE(testing::ResolveDiagnostics("unshare-user\nlandlock = required\n")
                .find("test.profile:2: error: landlock=required needs a mount namespace"),
            std::string::npos);
  // Best effort without one is no error: there is simply nothing to mirror.
  EXPECT_EQ(testing::ResolveDiagnostics("unshare-user\n").find("error"), std::string::npos);
}

TEST(LandlockOption, CheckShowsTheMode) {
  EXPECT_NE(DescribePlan(testing::PlanFrom("unshare-all\nlandlock = required:5\n"))
                .find("\nlandlock: required (ABI 5 or later)\n"),
            std::string::npos);
  EXPECT_NE(DescribePlan(testing::PlanFrom("unshare-user\n"))
                .find("\nlandlock: best-effort (none: no mount namespace)\n"),
            std::string::npos);
}

}  // namespace
}  // namespace ncp::policy
