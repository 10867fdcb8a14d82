#include <gtest/gtest.h>
#include <linux/audit.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <filesystem>
#include <fstream>

#include "bpf_evaluator.h"
#include "test_util.h"

namespace ncp::policy {
namespace {

std::vector<std::string> ShippedProfileNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(NCP_PROFILES_DIR)) {
    if (entry.path().extension() == ".profile") names.push_back(entry.path().stem());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ShippedProfiles, TheExpectedOnesExist) {
  EXPECT_EQ(ShippedProfileNames(),
            (std::vector<std::string>{"audit", "default", "network", "strict"}));
}

TEST(ShippedProfiles, EachParsesResolvesAndCompilesCleanlyUnderStrict) {
  for (const std::string& name : ShippedProfileNames()) {
    SCOPED_TRACE(name);
    LoadedProfile p = LoadProfile(name, testing::ShippedProfiles());
    EXPECT_TRUE(p.diagnostics.empty()) << p.diagnostics.Render();
    p.events.push_back({OptionId::kStrict, "", {"test", 0}, ""});
    ResolveResult r = Resolve(p.events);
    ASSERT_TRUE(r.ok()) << r.diagnostics.Render();
    EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics.Render();
    EXPECT_TRUE(r.plan->seccomp.enabled);
    EXPECT_FALSE(r.plan->seccomp.program.empty());
    EXPECT_TRUE(r.plan->namespaces.user && r.plan->namespaces.pid && r.plan->namespaces.mount);
  }
}

TEST(ShippedProfiles, EachStartsWithAHeaderCommentSayingWhatItIsFor) {
  for (const std::string& name : ShippedProfileNames()) {
    std::ifstream in(std::string(NCP_PROFILES_DIR) + "/" + name + ".profile");
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("# " + name + ": ", 0), 0u) << first;
  }
}

#if defined(__x86_64__)
uint32_t Verdict(const Plan& plan, int nr, std::initializer_list<uint64_t> args = {}) {
  return testing::EvaluateSeccomp(plan.seccomp.program,
                                  testing::MakeSeccompData(AUDIT_ARCH_X86_64, nr, args))
      .value_or(0xdeadbeef);
}

Plan Shipped(const std::string& name) { return testing::PlanFrom("include = " + name + "\n"); }

TEST(ShippedProfiles, DefaultHasNoNetworkAndAPrivateTmp) {
  Plan plan = Shipped("default");
  EXPECT_TRUE(plan.namespaces.net);
  EXPECT_TRUE(plan.clear_env);
  EXPECT_EQ(plan.mounts.front(), (Mount{MountKind::kReadOnlyBind, "/usr", "/usr", false}));
  Mount tmp{MountKind::kTmpfs, "", "/tmp", false};
  tmp.size = 64ull << 20;
  EXPECT_EQ(plan.mounts.back(), tmp);
  for (const Mount& m : plan.mounts) EXPECT_NE(m.kind, MountKind::kBind) << m.destination;
}

// Issue 12: every shipped profile is bounded (processes, data, open files, file size, tmpfs),
// each overridable by a later line.
TEST(ShippedProfiles, EveryOneIsBounded) {
  for (const char* name : {"default", "strict", "network", "audit"}) {
    Plan plan = Shipped(name);
    auto limit = [&](int resource) -> uint64_t {
      for (const Rlimit& r : plan.rlimits) {
        if (r.resource == resource) return r.hard;
      }
      return RLIM_INFINITY;
    };
    EXPECT_EQ(limit(RLIMIT_NPROC), 32u) << name;
    EXPECT_EQ(limit(RLIMIT_DATA), 384ull << 20) << name;
    EXPECT_EQ(limit(RLIMIT_STACK), 8ull << 20) << name;
    EXPECT_EQ(limit(RLIMIT_NOFILE), 1024u) << name;
    EXPECT_EQ(limit(RLIMIT_FSIZE), 1ull << 30) << name;
    EXPECT_EQ(limit(RLIMIT_CORE), 0u) << name;
    // No address-space limit: it would kill sanitizer builds and JIT runtimes (profile comment).
    EXPECT_EQ(limit(RLIMIT_AS), RLIM_INFINITY) << name;
    EXPECT_EQ(plan.tmpfs_size, 64ull << 20) << name;
    for (const Mount& m : plan.mounts) {
      if (m.kind == MountKind::kTmpfs) {
        EXPECT_EQ(m.size, 64ull << 20) << name << m.destination;
      }
    }
  }
  Plan wider = testing::PlanFrom("include = default\nrlimit = data=2G\ntmpfs-size = 1G\n");
  EXPECT_EQ(wider.mounts.back().size, 1ull << 30);
  for (const Rlimit& r : wider.rlimits) {
    if (r.resource == RLIMIT_DATA) {
      EXPECT_EQ(r.soft, 2ull << 30);
    }
  }
}

TEST(ShippedProfiles, NetworkSharesTheNetworkAndAllowsInternetFamiliesOnly) {
  Plan plan = Shipped("network");
  EXPECT_FALSE(plan.namespaces.net);
  EXPECT_TRUE(plan.namespaces.pid);
  for (uint64_t family : {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK}) {
    EXPECT_EQ(Verdict(plan, SYS_socket, {family}), SECCOMP_RET_ALLOW) << family;
  }
  EXPECT_EQ(Verdict(plan, SYS_socket, {AF_PACKET}), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(Verdict(plan, SYS_socket, {AF_ALG}), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(Verdict(plan, SYS_connect), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Verdict(plan, SYS_ptrace), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(Verdict(plan, SYS_clone3), SECCOMP_RET_ERRNO | ENOSYS);
}

TEST(ShippedProfiles, StrictAllowsOnlyTheMinimum) {
  Plan plan = Shipped("strict");
  for (int nr : {SYS_read, SYS_write, SYS_close, SYS_fstat, SYS_mmap, SYS_futex, SYS_exit_group,
                 SYS_rt_sigreturn, SYS_getpid, SYS_clock_gettime}) {
    EXPECT_EQ(Verdict(plan, nr), SECCOMP_RET_ALLOW) << nr;
  }
  for (int nr : {SYS_openat, SYS_socket, SYS_clone, SYS_ioctl, SYS_ptrace, SYS_sendmsg}) {
    EXPECT_EQ(Verdict(plan, nr), SECCOMP_RET_ERRNO | EPERM) << nr;
  }
  EXPECT_EQ(Verdict(plan, SYS_clone3), SECCOMP_RET_ERRNO | ENOSYS);
}

TEST(ShippedProfiles, AuditAllowsWhatDefaultAllowsAndLogsWhatItRefuses) {
  Plan audit = Shipped("audit");
  Plan def = Shipped("default");
  for (int nr = 0; nr < 460; ++nr) {
    uint32_t d = Verdict(def, nr);
    uint32_t a = Verdict(audit, nr);
    if (d == SECCOMP_RET_ALLOW)
      EXPECT_EQ(a, SECCOMP_RET_ALLOW) << nr;
    else
      EXPECT_EQ(a, SECCOMP_RET_LOG) << nr;
  }
  EXPECT_EQ(Verdict(audit, SYS_socket, {AF_INET}), SECCOMP_RET_LOG);
  EXPECT_EQ(Verdict(audit, SYS_socket, {AF_UNIX}), SECCOMP_RET_ALLOW);
}
#endif

}  // namespace
}  // namespace ncp::policy
