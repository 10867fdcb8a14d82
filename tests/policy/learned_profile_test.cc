// Issue 12, part 5: the text of a learned profile (launcher/learn.cc writes it). Each rule
// follows a comment line that says why; a whole group is written as the group; a refused call
// keeps the base's refusing rule or is only reported; the required calls are always there.
#include "policy/learned_profile.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <sys/syscall.h>

#include "test_util.h"

namespace ncp::policy {
namespace {

#if defined(__x86_64__)

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LearnedProfile, SaysWhyForEachRule) {
  const Plan plan = testing::PlanFrom(
      "unshare-all\n"
      "seccomp-default = errno:EPERM\n"                    // line 2
      "seccomp-allow = @sync, read, socket(arg0 == 1)\n"   // line 3
      "seccomp-errno = clone3:ENOSYS, openat2:ENOSYS\n");  // line 4
  const SeccompPolicy& base = plan.seccomp.policy;
  const auto rule_of = [&](int nr) {
    for (size_t i = 0; i < base.rules.size(); ++i) {
      if (base.rules[i].nr == nr) return static_cast<int>(i);
    }
    return -1;
  };
  LearnedCalls calls;
  for (int nr : {SYS_fsync, SYS_fdatasync, SYS_sync, SYS_syncfs, SYS_sync_file_range, SYS_msync}) {
    calls.allowed[nr] = {1, {rule_of(nr)}, false};
  }
  calls.allowed[SYS_read] = {7, {rule_of(SYS_read)}, false};
  calls.allowed[SYS_socket] = {2, {rule_of(SYS_socket)}, false};
  calls.allowed[SYS_ptrace] = {1, {}, true};
  calls.refused[SYS_clone3] = {1, {{SeccompActionKind::kErrno, ENOSYS}, rule_of(SYS_clone3)}};
  calls.refused[SYS_mount] = {3, {{SeccompActionKind::kErrno, EPERM}, -1}};
  LearnedProfileInput input;
  input.command = {"/usr/bin/worker", "--fast"};
  input.includes = {"default", "/etc/ncp/extra.profile"};
  input.option_lines = {"bind = /srv/data:/data"};
  input.base = &base;
  input.arch = AUDIT_ARCH_X86_64;
  input.calls = &calls;
  input.required = {"exit_group", "exit"};
  const std::string text = LearnedProfileText(input);
  EXPECT_TRUE(
      text.starts_with("# Learned by ncp-launch --learn from one run of: /usr/bin/worker --fast\n"))
      << text;
  EXPECT_TRUE(Has(text,
                  "\ninclude = default\ninclude = /etc/ncp/extra.profile\n"
                  "bind = /srv/data:/data\nseccomp-reset\n"
                  "# the base's default (test.profile:2): every call not allowed below\n"
                  "seccomp-default = errno:EPERM\n"))
      << text;
  EXPECT_TRUE(Has(text, "\nseccomp-allow = @sync\n")) << text;
  EXPECT_FALSE(Has(text, "seccomp-allow = fsync")) << text;
  EXPECT_TRUE(Has(text, "\n# read: 7 calls; allowed by test.profile:3\nseccomp-allow = read\n"))
      << text;
  EXPECT_TRUE(Has(text,
                  "\n# socket: 2 calls; allowed with these arguments by test.profile:3\n"
                  "seccomp-allow = socket(arg0 == 0x1)\n"))
      << text;
  EXPECT_TRUE(Has(text, "\nseccomp-allow = ptrace\n")) << text;
  EXPECT_TRUE(Has(text, "\nseccomp-allow = exit_group\n")) << text;
  EXPECT_TRUE(Has(text, "\nseccomp-allow = exit\n")) << text;
  EXPECT_TRUE(Has(text,
                  "\n# clone3: 1 call answered errno:ENOSYS by test.profile:4\n"
                  "seccomp-errno = clone3:ENOSYS\n"))
      << text;
  EXPECT_TRUE(Has(text, "\n# mount: 3 calls answered errno:EPERM by test.profile:2\n")) << text;
  // A refusing rule the run never reached is kept too: a container's own filter may have
  // answered the call before ncp-launch saw it.
  EXPECT_TRUE(Has(text,
                  "\n# openat2: not seen in the run; the base's rule (test.profile:4), kept\n"
                  "seccomp-errno = openat2:ENOSYS\n"))
      << text;
  EXPECT_FALSE(Has(text, "seccomp-allow = mount")) << text;
  // Every line that is not a comment is an option a profile takes, so the text resolves.
  const std::string resolved = testing::ResolveDiagnostics(
      "unshare-all\nseccomp-reset\nseccomp-default = errno:EPERM\nseccomp-allow = @sync\n"
      "seccomp-allow = socket(arg0 == 0x1)\nseccomp-errno = clone3:ENOSYS\n");
  EXPECT_EQ(resolved, "");
}

#endif  // __x86_64__

}  // namespace
}  // namespace ncp::policy
