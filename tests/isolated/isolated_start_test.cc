// What an isolated child sees and can do, started through OH_Ability_*: the library's fork
// server execs ncp-launch, which builds the sandbox of the profile and runs the entry in it.
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "isolated/isolated_support.h"
#include "testing/loopback_listener.h"

namespace ncp::testing {
namespace {

TEST(IsolatedStart, EntryRunsWithItsParamsAndExitsZero) {
  NCP_REQUIRE_USERNS();
  IsolatedRun run = RunIsolated("EchoParams", "hello, sandbox", ShippedProfile("default"));
  EXPECT_EQ(run.out, "hello, sandbox");
  EXPECT_EQ(run.exit.exitCode, 0);
  EXPECT_EQ(run.exit.signal, 0);
}

TEST(IsolatedStart, EntryIsPidTwoUnderAnInitAndSeesNoHostPid) {
  NCP_REQUIRE_USERNS();
  const std::string own = "open:/proc/" + std::to_string(getpid()) + "/status";
  auto probe = ParseProbe(RunIsolated("Probe", "pid;ppid;" + own, ShippedProfile("default")).out);
  EXPECT_EQ(probe["pid"], "2");
  EXPECT_EQ(probe["ppid"], "1");
  EXPECT_EQ(probe[own], "ENOENT") << "the test's own pid is visible inside";
}

TEST(IsolatedStart, NoCapabilitiesNoNewPrivilegesAndAFilter) {
  NCP_REQUIRE_USERNS();
  auto probe = ParseProbe(RunIsolated("Probe", "status", ShippedProfile("default")).out);
  EXPECT_EQ(probe["CapEff"], "0000000000000000");
  EXPECT_EQ(probe["CapPrm"], "0000000000000000");
  EXPECT_EQ(probe["CapBnd"], "0000000000000000");
  EXPECT_EQ(probe["NoNewPrivs"], "1");
  EXPECT_EQ(probe["Seccomp"], "2");
}

TEST(IsolatedStart, OnlyTheNamedFdsAreOpen) {
  NCP_REQUIRE_USERNS();
  Pipe extra = MakePipe();
  FdList fds;
  fds.Add("alpha", extra.read.get());
  // Names sort "alpha" < "out": alpha is 4, out is 5; 0-2 are inherited; the request memfd (3)
  // is closed by the runtime before the entry runs; the launcher's own pipes are gone.
  auto probe = ParseProbe(RunIsolated("Probe", "fds", ShippedProfile("default"), &fds).out);
  EXPECT_EQ(probe["fds"], "0 1 2 4 5");
}

TEST(IsolatedStart, HostFilesOutsideTheBindsAreInvisibleAndBindsAreReadOnly) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string secret = dir.path() + "/secret";
  std::ofstream(secret) << "host only";
  ASSERT_EQ(access(secret.c_str(), R_OK), 0);
  const std::string probes = "open:" + secret + ";open:/etc/shadow;open:/usr/lib/os-release;" +
                             "create:/usr/ncp-probe;create:/tmp/ncp-probe";
  auto probe = ParseProbe(RunIsolated("Probe", probes, ShippedProfile("default")).out);
  EXPECT_EQ(probe["open:" + secret], "ENOENT");
  EXPECT_EQ(probe["open:/etc/shadow"], "ENOENT");
  EXPECT_EQ(probe["open:/usr/lib/os-release"], "ok") << "the read-only bind of /usr is missing";
  EXPECT_EQ(probe["create:/usr/ncp-probe"], "EROFS");
  EXPECT_EQ(probe["create:/tmp/ncp-probe"], "ok") << "the private /tmp is not writable";
  EXPECT_NE(access("/usr/ncp-probe", F_OK), 0);
}

TEST(IsolatedStart, AFilteredSyscallGetsTheProfilesErrnoWhereAnAllowedOneWouldFailOtherwise) {
  NCP_REQUIRE_USERNS();
  const std::string ptrace = "syscall:" + std::to_string(SYS_ptrace);
  const std::string read = "syscall:" + std::to_string(SYS_read);
  auto probe = ParseProbe(
      RunIsolated("Probe", ptrace + ";" + read + ";tiocsti:out", ShippedProfile("default")).out);
  EXPECT_EQ(probe[ptrace], "EPERM");
  EXPECT_EQ(probe[read], "EBADF") << "read(-1) reached the kernel";
  // "out" is a pipe: an allowed TIOCSTI would fail with ENOTTY, the filter says EPERM.
  EXPECT_EQ(probe["tiocsti:out"], "EPERM");
}

TEST(IsolatedStart, AKillRuleEndsTheChildWithSigsysAndTheExitCallbackGets31) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile = WriteProfile(
      dir, "kill.profile", "include = " + ShippedProfile("default") + "\nseccomp-kill = ptrace\n");
  OhExitCallback oh_exits;
  IsolatedRun run =
      RunIsolated("Probe", "pid;syscall:" + std::to_string(SYS_ptrace) + ";pid", profile);
  EXPECT_EQ(run.exit.signal, SIGSYS);
  EXPECT_EQ(run.out, "pid=2\n") << "the child went on past the killed syscall";
  EXPECT_EQ(oh_exits.SignalFor(run.pid), 31);
}

TEST(IsolatedStart, AnX32SyscallIsKilled) {
  NCP_REQUIRE_USERNS();
  IsolatedRun run = RunIsolated("Probe", "x32", ShippedProfile("default"));
  EXPECT_EQ(run.out, "x32=calling\n");
  EXPECT_EQ(run.exit.signal, SIGSYS);
}

TEST(IsolatedStart, AHostLoopbackListenerIsUnreachableWithoutTheHostNetwork) {
  NCP_REQUIRE_USERNS();
  LoopbackListener listener;
  ASSERT_NE(listener.port(), 0);
  TempDir dir;
  // Sockets allowed by the filter, so that only the network namespace stands in the way.
  const std::string own_net = WriteProfile(
      dir, "inet.profile",
      "include = " + ShippedProfile("default") + "\nseccomp-allow = socket, connect\n");
  const std::string probe = "connect:" + std::to_string(listener.port());
  EXPECT_EQ(ParseProbe(RunIsolated("Probe", probe, own_net).out)[probe], "ECONNREFUSED");
  // The same probe under the network profile reaches it: the probe can tell.
  EXPECT_EQ(ParseProbe(RunIsolated("Probe", probe, ShippedProfile("network")).out)[probe], "ok");
  // The default profile refuses the socket itself.
  EXPECT_EQ(ParseProbe(RunIsolated("Probe", probe, ShippedProfile("default")).out)[probe], "EPERM");
}

TEST(IsolatedStart, HostnameComesFromTheProfile) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile = WriteProfile(
      dir, "host.profile", "include = " + ShippedProfile("default") + "\nhostname = ncp-box\n");
  EXPECT_EQ(ParseProbe(RunIsolated("Probe", "hostname", profile).out)["hostname"], "ncp-box");
}

TEST(IsolatedStart, EveryShippedProfileRunsAChild) {
  NCP_REQUIRE_USERNS();
  for (const char* name : {"default", "network", "strict", "audit"}) {
    IsolatedRun run = RunIsolated("EchoParams", name, ShippedProfile(name));
    EXPECT_EQ(run.out, name) << name;
    EXPECT_EQ(run.exit.exitCode, 0) << name;
    EXPECT_EQ(run.exit.signal, 0) << name;
  }
}

TEST(IsolatedStart, TheDockerDefaultSeccompProfileRunsAChild) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string profile = WriteProfile(
      dir, "docker.profile",
      "include = " + ShippedProfile("default") +
          "\nseccomp-reset\nseccomp-oci = " + NCP_TEST_DATA_DIR + "/docker-default.json\n");
  const std::string mount = "syscall:" + std::to_string(SYS_mount);
  const std::string read = "syscall:" + std::to_string(SYS_read);
  IsolatedRun run = RunIsolated("Probe", "pid;" + mount + ";" + read, profile);
  auto probe = ParseProbe(run.out);
  EXPECT_EQ(probe["pid"], "2");
  // Docker's profile refuses mount without CAP_SYS_ADMIN (EPERM; allowed, the bad pointers
  // would give EFAULT) and allows read (EBADF for fd -1).
  EXPECT_EQ(probe[mount], "EPERM");
  EXPECT_EQ(probe[read], "EBADF");
  EXPECT_EQ(run.exit.exitCode, 0);
}

TEST(IsolatedStart, EntryCannotWriteTheBinaryBehindProcSelfExe) {
  NCP_REQUIRE_USERNS();
  auto probe = ParseProbe(RunIsolated("Probe", "exe-write", ShippedProfile("default")).out);
  EXPECT_NE(probe["exe-write"], "ok");
  EXPECT_FALSE(probe["exe-write"].empty()) << "the probe wrote no exe-write line";
}

}  // namespace
}  // namespace ncp::testing
