#include <gtest/gtest.h>
#include <linux/audit.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "bpf_evaluator.h"
#include "policy/seccomp_compiler.h"
#include "policy/syscall_names.h"
#include "test_util.h"

namespace ncp::policy {
namespace {

using testing::EvaluateSeccomp;
using testing::MakeSeccompData;

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kKillProcess = SECCOMP_RET_KILL_PROCESS;
constexpr uint32_t Errno(int e) { return SECCOMP_RET_ERRNO | static_cast<uint32_t>(e); }

#if defined(__x86_64__)

class DefaultProfileFilter : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { plan_ = new Plan(testing::PlanFrom("include = default\n")); }
  static void TearDownTestSuite() { delete plan_; }

  uint32_t Run(int nr, std::initializer_list<uint64_t> args = {},
               uint32_t arch = AUDIT_ARCH_X86_64) {
    std::optional<uint32_t> result =
        EvaluateSeccomp(plan_->seccomp.program, MakeSeccompData(arch, nr, args));
    EXPECT_TRUE(result.has_value()) << "malformed program";
    return result.value_or(0xdeadbeef);
  }

  static Plan* plan_;
};
Plan* DefaultProfileFilter::plan_ = nullptr;

TEST_F(DefaultProfileFilter, AllowsComputeWork) {
  ASSERT_TRUE(plan_->seccomp.enabled);
  EXPECT_EQ(Run(SYS_read), kAllow);
  EXPECT_EQ(Run(SYS_write), kAllow);
  EXPECT_EQ(Run(SYS_mmap), kAllow);
  EXPECT_EQ(Run(SYS_futex), kAllow);
  EXPECT_EQ(Run(SYS_exit_group), kAllow);
  EXPECT_EQ(Run(SYS_openat), kAllow);
  EXPECT_EQ(Run(SYS_clock_gettime), kAllow);
  EXPECT_EQ(Run(SYS_rt_sigreturn), kAllow);
}

TEST_F(DefaultProfileFilter, RefusesDangerousCallsWithEperm) {
  for (int nr : {SYS_ptrace, SYS_mount, SYS_bpf, SYS_keyctl, SYS_add_key, SYS_unshare, SYS_setns,
                 SYS_perf_event_open, SYS_kexec_load, SYS_init_module, SYS_finit_module,
                 SYS_userfaultfd, SYS_execve, SYS_pivot_root}) {
    EXPECT_EQ(Run(nr), Errno(EPERM)) << SyscallName(nr, AUDIT_ARCH_X86_64);
  }
}

TEST_F(DefaultProfileFilter, StructArgumentSyscallsGetEnosysSoLibcFallsBack) {
  EXPECT_EQ(Run(SYS_clone3), Errno(ENOSYS));
  EXPECT_EQ(Run(SYS_openat2), Errno(ENOSYS));
  EXPECT_EQ(Run(SYS_io_uring_setup), Errno(ENOSYS));
  EXPECT_EQ(Run(SYS_io_uring_enter), Errno(ENOSYS));
}

TEST_F(DefaultProfileFilter, ForeignArchitecturesAreKilled) {
  EXPECT_EQ(Run(3 /* i386 read */, {}, AUDIT_ARCH_I386), kKillProcess);
  EXPECT_EQ(Run(SYS_read, {}, AUDIT_ARCH_I386), kKillProcess);
  EXPECT_EQ(Run(SYS_read, {}, AUDIT_ARCH_AARCH64), kKillProcess);
  // x32 uses the x86_64 audit arch with bit 30 set in the number.
  EXPECT_EQ(Run(SYS_read | 0x40000000), kKillProcess);
  EXPECT_EQ(Run(SYS_ptrace | 0x40000000), kKillProcess);
}

TEST_F(DefaultProfileFilter, OnlyUnixSocketsMayBeCreated) {
  EXPECT_EQ(Run(SYS_socket, {AF_UNIX, SOCK_STREAM, 0}), kAllow);
  EXPECT_EQ(Run(SYS_socket, {AF_INET, SOCK_STREAM, 0}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_socket, {AF_INET6, SOCK_DGRAM, 0}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_socket, {AF_NETLINK, SOCK_RAW, 0}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_socket, {AF_UNIX | (1ull << 32), SOCK_STREAM, 0}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_sendmsg), kAllow);
}

TEST_F(DefaultProfileFilter, IoctlRequestsAreComparedOnTheLow32Bits) {
  EXPECT_EQ(Run(SYS_ioctl, {0, TCGETS}), kAllow);
  EXPECT_EQ(Run(SYS_ioctl, {0, TIOCSTI}), Errno(EPERM));
  // CVE-2019-10063: the kernel ignores the high bits, so the filter must too.
  EXPECT_EQ(Run(SYS_ioctl, {0, TIOCSTI | (1ull << 32)}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_ioctl, {0, TIOCSTI | 0xffffffff00000000ull}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_ioctl, {0, TCGETS | (1ull << 32)}), kAllow);
}

TEST_F(DefaultProfileFilter, ThreadsButNoNamespacesThroughClone) {
  const uint64_t kThreadFlags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                                CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                CLONE_CHILD_CLEARTID;
  EXPECT_EQ(Run(SYS_clone, {kThreadFlags}), kAllow);
  EXPECT_EQ(Run(SYS_clone, {kThreadFlags | CLONE_NEWUSER}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_clone, {CLONE_NEWNS}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_clone, {CLONE_NEWNET}), Errno(EPERM));
}

TEST_F(DefaultProfileFilter, OnlyTheDefaultPersonality) {
  EXPECT_EQ(Run(SYS_personality, {0}), kAllow);
  EXPECT_EQ(Run(SYS_personality, {0xffffffff}), kAllow);
  EXPECT_EQ(Run(SYS_personality, {0x0008}), Errno(EPERM));
  EXPECT_EQ(Run(SYS_personality, {0x0400000 /* READ_IMPLIES_EXEC */}), Errno(EPERM));
}

TEST(SeccompCompiler, ActionsReachTheProgram) {
  Plan plan = testing::PlanFrom(
      "seccomp-default = kill-thread\nseccomp-allow = read\nseccomp-kill = ptrace\n"
      "seccomp-trap = mount\nseccomp-log = write\nseccomp-errno = close:EBADF\n");
  auto run = [&](int nr) {
    return EvaluateSeccomp(plan.seccomp.program, MakeSeccompData(AUDIT_ARCH_X86_64, nr));
  };
  EXPECT_EQ(run(SYS_read), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run(SYS_ptrace), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(run(SYS_mount), SECCOMP_RET_TRAP);
  EXPECT_EQ(run(SYS_write), SECCOMP_RET_LOG);
  EXPECT_EQ(run(SYS_close), Errno(EBADF));
  EXPECT_EQ(run(SYS_openat), SECCOMP_RET_KILL_THREAD);
}

TEST(SeccompCompiler, CountsCompilesAndIsDeterministic) {
  Plan plan = testing::PlanFrom("seccomp-allow = @basic-io\n");
  uint64_t before = SeccompCompileCount();
  auto a = CompileSeccomp(plan.seccomp.policy, NativeArch());
  auto b = CompileSeccomp(plan.seccomp.policy, NativeArch());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(SeccompCompileCount(), before + 2);
  EXPECT_EQ(*a, *b);
}

#endif  // __x86_64__

}  // namespace
}  // namespace ncp::policy
