#include "policy/describe.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ncp::policy {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Describe, PlanSummaryNamesEachPart) {
  Plan plan = testing::PlanFrom("include = default\nhostname = box\nfd = log=3\n");
  std::string text = DescribePlan(plan);
  EXPECT_TRUE(Contains(text, "namespaces: user pid net ipc uts cgroup mount\n")) << text;
  EXPECT_TRUE(Contains(text, "network: none (loopback only)\n")) << text;
  EXPECT_TRUE(Contains(text, "  ro-bind /usr -> /usr\n")) << text;
  EXPECT_TRUE(Contains(text, "  tmpfs /tmp (size 64M)\n")) << text;
  EXPECT_TRUE(Contains(text, "rlimit nproc: soft 32, hard 32\n")) << text;
  EXPECT_TRUE(Contains(text, "rlimit data: soft 402653184, hard 402653184\n")) << text;
  EXPECT_TRUE(Contains(text, "tmpfs size when none is given: 64M\n")) << text;
  EXPECT_TRUE(Contains(text, "hostname: box\n")) << text;
  EXPECT_TRUE(Contains(text, "environment: cleared\n")) << text;
  EXPECT_TRUE(Contains(text, "fd log <- 3\n")) << text;
  EXPECT_TRUE(Contains(text, "default errno:EPERM")) << text;
  EXPECT_FALSE(Contains(text, "seccomp kills:")) << text;
  EXPECT_TRUE(
      Contains(DescribePlan(testing::PlanFrom("include = default\nseccomp-kill = ptrace\n")),
               "seccomp kills: supervised by ncp-launch"));
  EXPECT_TRUE(Contains(DescribePlan(Plan{}), "seccomp: none\n"));
  EXPECT_TRUE(Contains(DescribePlan(testing::PlanFrom("include = default\ntime-limit = 0.25\n")),
                       "time limit: 0.25 s\n"));
  EXPECT_EQ(SecondsText(2000), "2 s");
  EXPECT_EQ(SecondsText(300), "0.3 s");
  EXPECT_EQ(SecondsText(1005), "1.005 s");
}

TEST(Describe, ExplainSeccompSaysWhatEachSyscallGets) {
  Plan plan = testing::PlanFrom("include = default\n");
  std::string text = ExplainSeccomp(plan);
  EXPECT_TRUE(Contains(text, "kills the process")) << text;
  EXPECT_TRUE(Contains(text, "\nread                    allow   (")) << text;
  EXPECT_TRUE(Contains(text, "\nclone3                  errno:ENOSYS")) << text;
  EXPECT_TRUE(Contains(text, "\nsocket                  allow if arg0 == 0x1   (")) << text;
  EXPECT_TRUE(Contains(text, "ioctl                   allow if arg1 & 0xffffffff == 0x5401"))
      << text;
  EXPECT_TRUE(Contains(text, "default.profile:")) << text;
  EXPECT_TRUE(Contains(text, "every other syscall: errno:EPERM\n")) << text;
  EXPECT_FALSE(Contains(text, "\nptrace ")) << text;
  EXPECT_EQ(ExplainSeccomp(Plan{}), "no seccomp filter: every syscall is allowed\n");
}

}  // namespace
}  // namespace ncp::policy
