#include <gtest/gtest.h>

#include <random>

#include "policy/plan_serialization.h"
#include "test_util.h"

namespace ncp::policy {
namespace {

Plan RichPlan() {
  return testing::PlanFrom(
      "include = network\nhostname = box\nuid = 1000\ngid = 1000\nrlimit = nofile=64:128\n"
      "env = X=1\nunsetenv = Y\nfd = log=3\nbind-try = /srv:/data\nseccomp-before-load\n"
      "seccomp-allow = not_a_real_syscall\n");
}

TEST(PlanSerialization, RoundTripsEveryField) {
  Plan plan = RichPlan();
  ASSERT_FALSE(plan.warnings.empty());
  ASSERT_TRUE(plan.seccomp.enabled);
  std::string bytes = SerializePlan(plan);
  base::StatusOr<Plan> back = DeserializePlan(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, plan);
  EXPECT_EQ(back->seccomp.policy.rules.front().loc, plan.seccomp.policy.rules.front().loc);
  EXPECT_EQ(SerializePlan(*back), bytes);
}

TEST(PlanSerialization, EmptyPlanRoundTrips) {
  base::StatusOr<Plan> back = DeserializePlan(SerializePlan(Plan{}));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Plan{});
}

TEST(PlanSerialization, EveryTruncationIsRefused) {
  std::string bytes = SerializePlan(RichPlan());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DeserializePlan(bytes.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(DeserializePlan(bytes + "x").ok());
}

TEST(PlanSerialization, WrongVersionOrMagicIsRefused) {
  std::string bytes = SerializePlan(RichPlan());
  std::string version = bytes;
  const uint32_t next = kPlanFormatVersion + 1;
  version[8] = static_cast<char>(next);
  base::StatusOr<Plan> r = DeserializePlan(version);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "malformed plan: format version " + std::to_string(next) +
                                      ", expected " + std::to_string(kPlanFormatVersion));
  std::string magic = bytes;
  magic[0] = 'X';
  EXPECT_FALSE(DeserializePlan(magic).ok());
}

TEST(PlanSerialization, RandomCorruptionNeverCrashes) {
  std::string bytes = SerializePlan(RichPlan());
  std::mt19937 rng(1234);
  for (int i = 0; i < 2000; ++i) {
    std::string mutated = bytes;
    int flips = 1 + rng() % 4;
    for (int f = 0; f < flips; ++f) mutated[16 + rng() % (mutated.size() - 16)] ^= 1 << (rng() % 8);
    base::StatusOr<Plan> r = DeserializePlan(mutated);  // must return, either way
    if (r.ok()) {
      EXPECT_EQ(SerializePlan(*r).size(), mutated.size());
    }
  }
}

}  // namespace
}  // namespace ncp::policy
