#include <gtest/gtest.h>
#include <sys/resource.h>

#include "test_util.h"

namespace ncp::policy {
namespace {

using testing::PlanFrom;
using testing::ResolveDiagnostics;

TEST(Resolve, ConflictsNameTheLine) {
  EXPECT_EQ(ResolveDiagnostics("unshare-user\nhostname = box\n"),
            "test.profile:2: error: hostname needs a UTS namespace (add unshare-uts or "
            "unshare-all)\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-user\n\ntmpfs = /tmp\n"),
            "test.profile:3: error: mounts need a mount namespace (add unshare-mount or "
            "unshare-all)\n");
  EXPECT_EQ(ResolveDiagnostics("uid = 5\n"),
            "test.profile:1: error: uid needs a user namespace (add unshare-user or "
            "unshare-all)\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-pid\n"),
            "test.profile:1: error: namespaces need unshare-user: ncp-launch runs without "
            "privileges\n");
}

TEST(Resolve, BadValuesNameTheLine) {
  EXPECT_EQ(ResolveDiagnostics("rlimit = bogus=1\n"),
            "test.profile:1: error: rlimit: unknown resource 'bogus' (known: as, core, cpu, "
            "data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, "
            "sigpending, stack)\n");
  EXPECT_EQ(ResolveDiagnostics("rlimit = nofile=lots\n"),
            "test.profile:1: error: rlimit: bad limit 'lots' (a number with optional K/M/G, or "
            "inf/unlimited)\n");
  EXPECT_EQ(ResolveDiagnostics("rlimit = nofile=10:5\n"),
            "test.profile:1: error: rlimit: soft limit of 'nofile' is above its hard limit\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-all\nro-bind = usr\n"),
            "test.profile:2: error: ro-bind: source 'usr' must be an absolute path\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-all\nbind = /a:/b/../c\n"),
            "test.profile:2: error: bind: destination '/b/../c' must be an absolute path "
            "without '.' or '..'\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-all\nuid = -1\n"),
            "test.profile:2: error: uid: '-1' is not a user or group id\n");
  EXPECT_EQ(ResolveDiagnostics("env = NOVALUE\n"),
            "test.profile:1: error: env: expected NAME=VALUE, got 'NOVALUE'\n");
  EXPECT_EQ(ResolveDiagnostics("fd = x\n"),
            "test.profile:1: error: fd: expected NAME=N, got 'x'\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-all\nhostname = a b\n"),
            "test.profile:2: error: hostname: 'a b' is not a host name (1-64 letters, digits, "
            "'-', '.')\n");
  EXPECT_EQ(ResolveDiagnostics("seccomp-default = sometimes\n"),
            "test.profile:1: error: seccomp-default: unknown action 'sometimes' (expected allow, "
            "errno[:N], kill-process, kill-thread, trap or log)\n");
  EXPECT_EQ(ResolveDiagnostics("seccomp-allow = @nothing\n"),
            "test.profile:1: error: seccomp-allow: unknown syscall group '@nothing'\n");
  EXPECT_EQ(ResolveDiagnostics("seccomp-allow = read:EPERM\n"),
            "test.profile:1: error: seccomp-allow: ':ERRNO' only goes with seccomp-errno "
            "('read')\n");
  EXPECT_EQ(ResolveDiagnostics("seccomp-allow = ioctl(arg1 & 0xff != 3)\n"),
            "test.profile:1: error: seccomp-allow: bad condition 'arg1 & 0xff != 3': a mask only "
            "works with ==\n");
  EXPECT_EQ(ResolveDiagnostics("seccomp-allow = socket(arg7 == 1)\n"),
            "test.profile:1: error: seccomp-allow: bad condition 'arg7 == 1': expected "
            "arg0..arg5 first\n");
  EXPECT_EQ(ResolveDiagnostics("seccomp-errno = read:EWHATEVER\n"),
            "test.profile:1: error: seccomp-errno: unknown errno 'EWHATEVER' in "
            "'read:EWHATEVER'\n");
}

TEST(Resolve, UnknownSyscallIsWarningUnlessStrict) {
  EXPECT_EQ(ResolveDiagnostics("seccomp-allow = read, not_a_syscall, also_not\n"),
            "test.profile:1: warning: seccomp-allow: unknown syscall name(s): not_a_syscall, "
            "also_not\n");
  EXPECT_EQ(ResolveDiagnostics("strict\nseccomp-allow = read, not_a_syscall\n"),
            "test.profile:2: error: seccomp-allow: unknown syscall name(s): not_a_syscall\n");
  // A warning does not stop the plan, and is kept in it for --verbose.
  ResolveResult r = Resolve(testing::EventsFrom("seccomp-allow = read, not_a_syscall\n"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.plan->warnings.size(), 1u);
  // Names that exist only on other architectures are not unknown.
  EXPECT_EQ(ResolveDiagnostics("seccomp-allow = read, chown32\n"), "");
}

TEST(Resolve, NamespacesFollowOrder) {
  Plan plan = PlanFrom("unshare-all\nshare-net\n");
  EXPECT_TRUE(plan.namespaces.user && plan.namespaces.pid && plan.namespaces.mount);
  EXPECT_FALSE(plan.namespaces.net);
  plan = PlanFrom("unshare-all\nshare-net\nunshare-net\n");
  EXPECT_TRUE(plan.namespaces.net);
}

TEST(Resolve, MountsEnvRlimitsFds) {
  Plan plan = PlanFrom(
      "unshare-all\n"
      "ro-bind = /usr\nbind-try = /srv:/data\ntmpfs = /tmp\n"
      "env = A=1\nclearenv\nenv = B=2\nunsetenv = C\n"
      "rlimit = nofile=64:128\nrlimit = as=1G\nrlimit = nofile=inf\n"
      "fd = log=3\nfd = in=4\nfd = log=5\n"
      "hostname = sandbox\nuid = 1000\ngid = 100\n");
  ASSERT_EQ(plan.mounts.size(), 3u);
  EXPECT_EQ(plan.mounts[0], (Mount{MountKind::kReadOnlyBind, "/usr", "/usr", false}));
  EXPECT_EQ(plan.mounts[1], (Mount{MountKind::kBind, "/srv", "/data", true}));
  Mount tmp{MountKind::kTmpfs, "", "/tmp", false};
  tmp.size = kDefaultTmpfsSize;
  EXPECT_EQ(plan.mounts[2], tmp);
  EXPECT_TRUE(plan.clear_env);
  ASSERT_EQ(plan.env.size(), 2u);  // A=1 was dropped by clearenv
  EXPECT_EQ(plan.env[0], (EnvOp{EnvOpKind::kSet, "B", "2"}));
  EXPECT_EQ(plan.env[1], (EnvOp{EnvOpKind::kUnset, "C", ""}));
  ASSERT_EQ(plan.rlimits.size(), 2u);
  EXPECT_EQ(plan.rlimits[0], (Rlimit{"as", RLIMIT_AS, 1ull << 30, 1ull << 30}));
  EXPECT_EQ(plan.rlimits[1], (Rlimit{"nofile", RLIMIT_NOFILE, RLIM_INFINITY, RLIM_INFINITY}));
  ASSERT_EQ(plan.fds.size(), 2u);
  EXPECT_EQ(plan.fds[0], (FdMapping{"in", 4}));
  EXPECT_EQ(plan.fds[1], (FdMapping{"log", 5}));
  EXPECT_EQ(plan.hostname, "sandbox");
  EXPECT_EQ(plan.uid, 1000u);
  EXPECT_EQ(plan.gid, 100u);
  EXPECT_FALSE(plan.seccomp.enabled);
}

// Every tmpfs gets a size: its own (DEST:SIZE), else the last tmpfs-size, else 64M.
TEST(Resolve, EveryTmpfsHasASize) {
  Plan plan = PlanFrom(
      "unshare-all\ntmpfs = /a\ntmpfs = /b:8M\ntmpfs-size = 1G\ntmpfs = /c\n"
      "tmpfs = /d:unlimited\n");
  ASSERT_EQ(plan.mounts.size(), 4u);
  EXPECT_EQ(plan.mounts[0].size, 1ull << 30);  // the last tmpfs-size, wherever it stands
  EXPECT_EQ(plan.mounts[1].size, 8ull << 20);
  EXPECT_EQ(plan.mounts[2].size, 1ull << 30);
  EXPECT_EQ(plan.mounts[3].size, kUnboundedTmpfs);
  EXPECT_EQ(plan.tmpfs_size, 1ull << 30);
  EXPECT_EQ(PlanFrom("unshare-all\ntmpfs = /a\n").mounts[0].size, kDefaultTmpfsSize);
  EXPECT_EQ(PlanFrom("unshare-all\n").tmpfs_size, kDefaultTmpfsSize);
}

TEST(Resolve, BadTmpfsSizesNameTheLine) {
  EXPECT_EQ(ResolveDiagnostics("unshare-all\ntmpfs = /a:lots\n"),
            "test.profile:2: error: tmpfs: bad size 'lots' (bytes with optional K/M/G, at least "
            "4K, or unlimited)\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-all\ntmpfs-size = 100\n"),
            "test.profile:2: error: tmpfs-size: bad size '100' (bytes with optional K/M/G, at "
            "least 4K, or unlimited)\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-all\ntmpfs = tmp:1M\n"),
            "test.profile:2: error: tmpfs: destination 'tmp' must be an absolute path without "
            "'.' or '..'\n");
}

const SeccompRule* FindRule(const Plan& plan, const std::string& name, size_t index = 0) {
  for (const SeccompRule& rule : plan.seccomp.policy.rules) {
    if (rule.syscall == name && index-- == 0) return &rule;
  }
  return nullptr;
}

TEST(Resolve, SeccompRulesOverrideAndAccumulatePerSyscall) {
  Plan plan = PlanFrom(
      "seccomp-allow = read, socket\n"
      "seccomp-errno = read:EACCES\n"              // replaces allow
      "seccomp-allow = socket(arg0 == AF_UNIX)\n"  // replaces unconditional
      "seccomp-allow = socket(arg0 == AF_INET)\n"  // adds an alternative
      "seccomp-errno = clone3:ENOSYS\nseccomp-reset\nseccomp-allow = write\n");
  EXPECT_EQ(FindRule(plan, "read"), nullptr);  // reset dropped everything before it
  ASSERT_NE(FindRule(plan, "write"), nullptr);

  plan = PlanFrom(
      "seccomp-allow = read, socket\n"
      "seccomp-errno = read:EACCES\n"
      "seccomp-allow = socket(arg0 == AF_UNIX)\n"
      "seccomp-allow = socket(arg0 == AF_INET)\n");
  ASSERT_NE(FindRule(plan, "read"), nullptr);
  EXPECT_EQ(FindRule(plan, "read")->action, (SeccompAction{SeccompActionKind::kErrno, EACCES}));
  EXPECT_EQ(FindRule(plan, "read", 1), nullptr);
  ASSERT_NE(FindRule(plan, "socket", 1), nullptr);
  EXPECT_EQ(FindRule(plan, "socket", 2), nullptr);
  EXPECT_EQ(FindRule(plan, "socket", 0)->conditions[0].value, 1u);
  EXPECT_EQ(FindRule(plan, "socket", 1)->conditions[0].value, 2u);
  EXPECT_EQ(FindRule(plan, "socket", 1)->loc.line, 4);
  EXPECT_TRUE(plan.seccomp.enabled);
  EXPECT_FALSE(plan.seccomp.program.empty());
}

TEST(Resolve, NoSeccompAndBeforeLoad) {
  Plan plan = PlanFrom("seccomp-allow = read\nseccomp-before-load\n");
  EXPECT_TRUE(plan.seccomp.enabled);
  EXPECT_TRUE(plan.seccomp.before_load);
  // The warning points at the no-seccomp line, not at the last rule it disables.
  EXPECT_EQ(ResolveDiagnostics("seccomp-allow = read\nno-seccomp\nseccomp-allow = write\n"),
            "test.profile:2: warning: no-seccomp is set: the seccomp rules are ignored\n");
  EXPECT_EQ(ResolveDiagnostics("unshare-user\n"),
            "command line: warning: no seccomp rules given: the child runs without a seccomp "
            "filter\n");
}

}  // namespace
}  // namespace ncp::policy
