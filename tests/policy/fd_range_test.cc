// `fd NAME=N` is range-checked when the plan is resolved (issue 9 item 6): N + 1 must never
// overflow where the launcher places fds, and no process has an fd above the kernel's nr_open.
#include <gtest/gtest.h>

#include "policy/plan.h"
#include "test_util.h"

namespace ncp::policy {
namespace {

using testing::ResolveDiagnostics;

TEST(FdRange, NumbersAboveTheHighestFdAreErrorsWithTheirLine) {
  EXPECT_EQ(ResolveDiagnostics("fd = x=2147483647\n"),
            "test.profile:1: error: fd: x=2147483647 is above the highest fd number, 1048575\n");
  EXPECT_EQ(ResolveDiagnostics("\nfd = x=1048576\n"),
            "test.profile:2: error: fd: x=1048576 is above the highest fd number, 1048575\n");
  EXPECT_EQ(ResolveDiagnostics("fd = x=99999999999999999999\n"),
            "test.profile:1: error: fd: expected NAME=N, got 'x=99999999999999999999'\n");
}

TEST(FdRange, TheHighestFdIsAccepted) {
  EXPECT_EQ(ResolveDiagnostics("fd = x=1048575\n").find("error"), std::string::npos);
  static_assert(kMaxFdNumber == 1048575);
}

}  // namespace
}  // namespace ncp::policy
