#include <gtest/gtest.h>
#include <linux/audit.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fstream>
#include <sstream>

#include "bpf_evaluator.h"
#include "policy/oci_seccomp.h"
#include "policy/syscall_names.h"
#include "test_util.h"
#include "testing/testing.h"

namespace ncp::policy {
namespace {

const std::string kDockerProfile = std::string(NCP_TEST_DATA_DIR) + "/docker-default.json";

TEST(OciSeccomp, InRepoCopyMatchesTheSharedOriginalWhenPresent) {
  const std::string shared =
      std::string(NCP_SOURCE_DIR) + "/../shared/data/seccomp/docker-default.json";
  std::string original = ::ncp::testing::ReadFileText(shared);
  if (original.empty()) GTEST_SKIP() << "no ../shared beside the repository";
  EXPECT_EQ(::ncp::testing::ReadFileText(kDockerProfile), original);
}

TEST(OciSeccomp, DockerDefaultDropsRulesThatCannotApply) {
  OciContext context{NativeArch(), 6, 1};
  base::StatusOr<OciSeccomp> oci = LoadOciSeccomp(kDockerProfile, context);
  ASSERT_TRUE(oci.ok()) << oci.status().ToString();
  EXPECT_EQ(oci->default_action, (SeccompAction{SeccompActionKind::kErrno, EPERM}));
  auto count = [&](const std::string& name) {
    return std::count_if(oci->rules.begin(), oci->rules.end(),
                         [&](const SeccompRule& r) { return r.syscall == name; });
  };
  EXPECT_EQ(count("read"), 1);
  EXPECT_EQ(count("socket"), 3);  // the three family ranges
  EXPECT_EQ(count("personality"), 5);
  EXPECT_EQ(count("ptrace"), 1);  // minKernel 4.8 <= 6.1
  EXPECT_EQ(count("bpf"), 0);     // needs CAP_SYS_ADMIN or CAP_BPF
  EXPECT_EQ(count("reboot"), 0);  // needs CAP_SYS_BOOT
  EXPECT_EQ(count("clone3"), 1);  // ENOSYS: excludes CAP_SYS_ADMIN
  EXPECT_EQ(count("riscv_flush_icache"), NativeArch() == AUDIT_ARCH_RISCV64 ? 1 : 0);

  context.kernel_major = 4;
  context.kernel_minor = 4;
  oci = LoadOciSeccomp(kDockerProfile, context);
  ASSERT_TRUE(oci.ok());
  EXPECT_EQ(count("ptrace"), 0);  // 4.4 < minKernel 4.8
}

#if defined(__x86_64__)
TEST(OciSeccomp, DockerDefaultCompilesAndBehavesLikeDocker) {
  Plan plan = testing::PlanFrom("seccomp-oci = " + kDockerProfile + "\n");
  ASSERT_TRUE(plan.seccomp.enabled);
  auto run = [&](int nr, std::initializer_list<uint64_t> args = {},
                 uint32_t arch = AUDIT_ARCH_X86_64) {
    return testing::EvaluateSeccomp(plan.seccomp.program, testing::MakeSeccompData(arch, nr, args));
  };
  const uint32_t kEperm = SECCOMP_RET_ERRNO | EPERM;
  EXPECT_EQ(run(SYS_read), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run(SYS_clone3), SECCOMP_RET_ERRNO | ENOSYS);
  EXPECT_EQ(run(SYS_socket, {AF_INET}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run(SYS_socket, {AF_ALG}), kEperm);
  EXPECT_EQ(run(SYS_socket, {AF_VSOCK}), kEperm);
  EXPECT_EQ(run(SYS_personality, {0x0008}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run(SYS_personality, {0x0400000}), kEperm);
  EXPECT_EQ(run(SYS_clone, {0x10000000 /* CLONE_NEWUSER */}), kEperm);
  EXPECT_EQ(run(SYS_mount), kEperm);
  EXPECT_EQ(run(SYS_bpf), kEperm);
  // Docker allows i386 and x32 as sub-architectures; ncp kills every foreign ABI.
  EXPECT_EQ(run(3, {}, AUDIT_ARCH_I386), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(run(SYS_read | 0x40000000), SECCOMP_RET_KILL_PROCESS);
}
#endif

TEST(OciSeccomp, LaterOptionsRefineTheJsonProfile) {
  Plan plan =
      testing::PlanFrom("seccomp-oci = " + kDockerProfile + "\nseccomp-errno = read:EACCES\n");
  bool found = false;
  for (const SeccompRule& r : plan.seccomp.policy.rules) {
    if (r.syscall == "read") {
      found = true;
      EXPECT_EQ(r.action, (SeccompAction{SeccompActionKind::kErrno, EACCES}));
    }
  }
  EXPECT_TRUE(found);
}

TEST(OciSeccomp, MalformedInputIsAnErrorNotACrash) {
  OciContext context{NativeArch(), 6, 1};
  const char* kBad[] = {
      "",
      "{",
      "[]",
      "{}",
      R"({"defaultAction": 3})",
      R"({"defaultAction": "SCMP_ACT_NOTIFY"})",
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": {}})",
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]})",
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": [], "action": "SCMP_ACT_ALLOW"}]})",
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": [1], "action": "SCMP_ACT_ALLOW"}]})",
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]})",
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_SOMETIMES"}]}]})",
      R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1})",
  };
  for (const char* json : kBad) {
    EXPECT_FALSE(ParseOciSeccomp(json, context).ok()) << json;
  }
  base::StatusOr<OciSeccomp> ok = ParseOciSeccomp(
      R"({"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [{"names": ["ioctl"],
          "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 4294967295,
          "valueTwo": 21505, "op": "SCMP_CMP_MASKED_EQ"}]}]})",
      context);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->rules.size(), 1u);
  EXPECT_EQ(ok->rules[0].conditions[0], (ArgCondition{1, ArgOp::kMaskedEq, 0xffffffffu, 21505}));
}

TEST(OciSeccomp, ErrorsNameTheProfileLine) {
  ncp::testing::TempDir dir;
  testing::WriteFile(dir.path() + "/bad.json", "{ nope");
  testing::WriteFile(dir.path() + "/unknown.json",
                     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read",
                     "made_up_call"], "action": "SCMP_ACT_ALLOW"}]})");
  testing::WriteFile(dir.path() + "/p.profile",
                     "seccomp-oci = bad.json\n");  // relative to the profile's directory
  LoadedProfile p = LoadProfile(dir.path() + "/p.profile", {});
  EXPECT_EQ(Resolve(p.events).diagnostics.Render(),
            dir.path() + "/p.profile:1: error: seccomp-oci: " + dir.path() +
                "/bad.json: not valid JSON\n");
  testing::WriteFile(dir.path() + "/p.profile", "\nseccomp-oci = unknown.json\n");
  p = LoadProfile(dir.path() + "/p.profile", {});
  EXPECT_EQ(Resolve(p.events).diagnostics.Render(),
            dir.path() + "/p.profile:2: warning: seccomp-oci: " + dir.path() +
                "/unknown.json: unknown syscall name(s): made_up_call\n");
  testing::WriteFile(dir.path() + "/p.profile", "strict\nseccomp-oci = unknown.json\n");
  p = LoadProfile(dir.path() + "/p.profile", {});
  EXPECT_FALSE(Resolve(p.events).ok());
}

}  // namespace
}  // namespace ncp::policy
