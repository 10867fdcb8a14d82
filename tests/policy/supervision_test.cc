// Issue 12: supervised kills. With a pid namespace, kill-process compiles to a user
// notification that ncp-launch answers (launcher/seccomp_supervisor.h), everything else stays
// as written; and the rule that refused a call is found by its number and arguments.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <sys/syscall.h>

#include "bpf_evaluator.h"
#include "policy/seccomp_supervision.h"
#include "test_util.h"

namespace ncp::policy {
namespace {

using testing::EvaluateSeccomp;
using testing::MakeSeccompData;

#if defined(__x86_64__)

constexpr char kProfile[] =
    "unshare-all\n"
    "seccomp-default = kill\n"                                        // line 2
    "seccomp-allow = @basic-io, exit_group, ioctl(arg1 == 0x5401)\n"  // line 3
    "seccomp-kill = ioctl(arg1 == 0x5412)\n"                          // line 4
    "seccomp-errno = mknodat:EACCES\n"                                // line 5
    "seccomp-trap = kexec_load\n";                                    // line 6

uint32_t Verdict(const Plan& plan, int nr, std::initializer_list<uint64_t> args = {}) {
  return EvaluateSeccomp(plan.seccomp.program, MakeSeccompData(AUDIT_ARCH_X86_64, nr, args))
      .value_or(0xdeadbeef);
}

SeccompCall Call(int nr, std::initializer_list<uint64_t> args = {}) {
  SeccompCall call;
  call.nr = nr;
  call.arch = AUDIT_ARCH_X86_64;
  int i = 0;
  for (uint64_t a : args) call.args[i++] = a;
  return call;
}

TEST(Supervision, KillsBecomeNotificationsAndNothingElseChanges) {
  const Plan plan = testing::PlanFrom(kProfile);
  ASSERT_TRUE(plan.seccomp.supervised);
  EXPECT_EQ(Verdict(plan, SYS_read), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Verdict(plan, SYS_ptrace), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(Verdict(plan, SYS_ioctl, {0, 0x5412}), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(Verdict(plan, SYS_ioctl, {0, 0x5401}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Verdict(plan, SYS_mknodat), SECCOMP_RET_ERRNO | EACCES);
  EXPECT_EQ(Verdict(plan, SYS_kexec_load), SECCOMP_RET_TRAP);
  // Another architecture is still the kernel's kill (the supervisor names calls by number on
  // the sandbox's own architecture only).
  EXPECT_EQ(EvaluateSeccomp(plan.seccomp.program, MakeSeccompData(AUDIT_ARCH_I386, 1)),
            SECCOMP_RET_KILL_PROCESS);
  // What --check and the rule lookup read is the policy as written.
  EXPECT_EQ(plan.seccomp.policy.default_action.kind, SeccompActionKind::kKillProcess);
}

TEST(Supervision, OnlyWithAPidNamespaceAndOnlyWhenSomethingKills) {
  const Plan no_pid = testing::PlanFrom(
      "unshare-user\nunshare-mount\nseccomp-default = kill\nseccomp-allow = exit_group\n");
  EXPECT_FALSE(no_pid.seccomp.supervised);
  EXPECT_EQ(Verdict(no_pid, SYS_ptrace), SECCOMP_RET_KILL_PROCESS);
  const Plan no_kill = testing::PlanFrom("include = default\n");
  EXPECT_FALSE(no_kill.seccomp.supervised);
  EXPECT_EQ(Verdict(no_kill, SYS_ptrace), SECCOMP_RET_ERRNO | EPERM);
}

TEST(Supervision, TheRuleThatRefusedACallIsFoundByItsNumberAndArguments) {
  const Plan plan = testing::PlanFrom(kProfile);
  const SeccompPolicy& policy = plan.seccomp.policy;
  EXPECT_EQ(KillingRuleLocation(policy, Call(SYS_ptrace)), (SourceLoc{"test.profile", 2}));
  EXPECT_EQ(KillingRuleLocation(policy, Call(SYS_ioctl, {0, 0x5412})),
            (SourceLoc{"test.profile", 4}));
  // An ioctl no rule matches falls to the default.
  EXPECT_EQ(KillingRuleLocation(policy, Call(SYS_ioctl, {0, 0x1234})),
            (SourceLoc{"test.profile", 2}));
  // Calls the policy does not kill have no such line.
  EXPECT_EQ(KillingRuleLocation(policy, Call(SYS_read)), std::nullopt);
  EXPECT_EQ(KillingRuleLocation(policy, Call(SYS_ioctl, {0, 0x5401})), std::nullopt);
  EXPECT_EQ(KillingRuleLocation(policy, Call(SYS_mknodat)), std::nullopt);
}

#endif  // __x86_64__

}  // namespace
}  // namespace ncp::policy
