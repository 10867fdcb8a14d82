// Issue 12, part 5: ncp-launch --learn FILE. The run is answered call by call as its profiles
// would answer it; FILE then allows exactly what the run made and the profiles allowed. Run
// under FILE, the same command works; a call the run never made is refused; a call the base
// refuses is reported, never learned, unless --learn-also names it; a killed run writes nothing.
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "launcher/run_launcher.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string Probe() { return std::string(NCP_TEST_ENTRIES_PATH) + ":Probe"; }
std::string SyscallProbe(long nr) { return "syscall:" + std::to_string(nr); }

class Learn : public ::testing::Test {
 protected:
  void SetUp() override { NCP_REQUIRE_USERNS(); }
  std::string File(const char* name) const { return dir_.path() + "/" + name; }
  TempDir dir_;
};

TEST_F(Learn, AProgramLearnedUnderDefaultRunsUnderWhatItWrote) {
  const std::string file = File("sort.profile");
  // The data in a folder of its own: a profile inside a writable bind is covered read-only.
  TempDir data;
  { std::ofstream(data.path() + "/numbers") << "3\n1\n2\n"; }
  chmod(data.path().c_str(), 0755);
  const std::string bind = data.path() + ":/data";
  LauncherRun learned = RunLauncher({"--profile", "default", "--bind", bind, "--learn", file, "--",
                                     "/usr/bin/sort", "-n", "/data/numbers"});
  EXPECT_EQ(learned.out, "1\n2\n3\n");
  EXPECT_EQ(learned.exit_code(), 0) << learned.err;
  EXPECT_TRUE(Has(learned.err, "ncp-launch: --learn: ")) << learned.err;
  EXPECT_TRUE(Has(learned.err, "wrote " + file + "\n")) << learned.err;
  const std::string text = ReadFileText(file);
  EXPECT_TRUE(Has(text, "\ninclude = default\nbind = " + bind + "\nseccomp-reset\n")) << text;
  EXPECT_TRUE(Has(text, "\nseccomp-default = errno:EPERM\n")) << text;
  EXPECT_TRUE(Has(text, "\nseccomp-allow = openat\n")) << text;
  // Allowed by the base only with some arguments: its rule, as written, with a comment.
  EXPECT_TRUE(Has(text, "allowed with these arguments by ")) << text;
  EXPECT_TRUE(Has(text, "\nseccomp-allow = mmap(arg3 & 0x101 == 0)\n")) << text;
  // What every filter must allow, used or not.
  EXPECT_TRUE(Has(text, "\nseccomp-allow = exit\n")) << text;
  // Nothing the run did not make: sort never listens or connects.
  EXPECT_FALSE(Has(text, "seccomp-allow = connect")) << text;
  LauncherRun again =
      RunLauncher({"--profile", file, "--", "/usr/bin/sort", "-n", "/data/numbers"});
  EXPECT_EQ(again.out, "1\n2\n3\n");
  EXPECT_EQ(again.exit_code(), 0) << again.err;
}

TEST_F(Learn, ACallTheRunNeverMadeStaysRefused) {
  const std::string file = File("pid.profile");
  LauncherRun learned =
      RunLauncher({"--profile", "default", "--learn", file, "--", Probe(), "--params", "pid"});
  ASSERT_EQ(learned.exit_code(), 0) << learned.err;
  EXPECT_EQ(learned.out, "pid=2\n");
  // getppid: default allows it, the learning run never made it.
  const std::string getppid = SyscallProbe(SYS_getppid);
  EXPECT_EQ(RunLauncher({"--profile", "default", "--", Probe(), "--params", getppid}).out,
            getppid + "=ok\n");
  LauncherRun under = RunLauncher({"--profile", file, "--", Probe(), "--params", "pid;" + getppid});
  EXPECT_EQ(under.out, "pid=2\n" + getppid + "=EPERM\n");
  EXPECT_EQ(under.exit_code(), 0) << under.err;
}

TEST_F(Learn, ACallTheBaseRefusesIsAnsweredAsTheBaseWouldAndReportedNotLearned) {
  const std::string file = File("refused.profile");
  const std::string ptrace = SyscallProbe(SYS_ptrace), clone3 = SyscallProbe(SYS_clone3);
  LauncherRun learned = RunLauncher(
      {"--profile", "default", "--learn", file, "--", Probe(), "--params", ptrace + ";" + clone3});
  // The same answers as under default: EPERM by its default, ENOSYS by its clone3 rule.
  EXPECT_EQ(learned.out, ptrace + "=EPERM\n" + clone3 + "=ENOSYS\n");
  ASSERT_EQ(learned.exit_code(), 0) << learned.err;
  const std::string text = ReadFileText(file);
  EXPECT_FALSE(Has(text, "seccomp-allow = ptrace")) << text;
  EXPECT_TRUE(Has(text, "\n# ptrace: 1 call answered errno:EPERM by ")) << text;
  // The base's own refusing rule is kept, so the learned profile answers it the same way.
  EXPECT_TRUE(Has(text, "\nseccomp-errno = clone3:ENOSYS\n")) << text;
  LauncherRun under =
      RunLauncher({"--profile", file, "--", Probe(), "--params", ptrace + ";" + clone3});
  EXPECT_EQ(under.out, ptrace + "=EPERM\n" + clone3 + "=ENOSYS\n");
}

TEST_F(Learn, OnlyTheCallerCanLetARefusedCallBeLearned) {
  const std::string file = File("also.profile");
  const std::string ptrace = SyscallProbe(SYS_ptrace);
  LauncherRun learned = RunLauncher({"--profile", "default", "--learn", file, "--learn-also",
                                     "ptrace", "--", Probe(), "--params", ptrace});
  // It ran: ptrace(-1, ...) fails in the kernel (no such process), not in the filter.
  EXPECT_EQ(learned.out, ptrace + "=ESRCH\n");
  const std::string text = ReadFileText(file);
  EXPECT_TRUE(Has(text,
                  "the base refuses it, allowed because --learn-also named it\n"
                  "seccomp-allow = ptrace\n"))
      << text;
  EXPECT_EQ(RunLauncher({"--profile", file, "--", Probe(), "--params", ptrace}).out,
            ptrace + "=ESRCH\n");
}

TEST_F(Learn, AKilledRunWritesNothingUnlessAsked) {
  const std::string file = File("killed.profile");
  LauncherRun killed = RunLauncher(
      {"--profile", "default", "--learn", file, "--", "/bin/sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(killed.signal(), SIGKILL);
  EXPECT_EQ(killed.err, "ncp-launch: --learn: the program was killed by a signal; " + file +
                            " not written (--learn-always writes it anyway)\n");
  EXPECT_FALSE(Exists(file));
  LauncherRun kept = RunLauncher({"--profile", "default", "--learn", file, "--learn-always", "--",
                                  "/bin/sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(kept.signal(), SIGKILL);
  EXPECT_TRUE(Has(ReadFileText(file), "\nseccomp-allow = kill\n"));
}

TEST_F(Learn, TheFileReplacesWhatWasPlantedAtItsNameAndWritesThroughNothing) {
  // FILE may sit in a folder the sandbox can write: a link planted there (red team: the old
  // temporary name was followed into a root-owned file) or a FIFO must neither be written
  // through nor hang the launcher.
  const std::string victim = File("victim");
  { std::ofstream(victim) << "precious"; }
  const std::string file = File("planted.profile");
  ASSERT_EQ(symlink(victim.c_str(), file.c_str()), 0);
  LauncherRun linked =
      RunLauncher({"--profile", "default", "--learn", file, "--", Probe(), "--params", "pid"});
  ASSERT_EQ(linked.exit_code(), 0) << linked.err;
  EXPECT_EQ(ReadFileText(victim), "precious");
  struct stat st {};
  ASSERT_EQ(lstat(file.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_TRUE(Has(ReadFileText(file), "\nseccomp-allow = getpid\n"));
  const std::string fifo = File("fifo.profile");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  LauncherRun piped =
      RunLauncher({"--profile", "default", "--learn", fifo, "--", Probe(), "--params", "pid"});
  ASSERT_EQ(piped.exit_code(), 0) << piped.err;
  ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(Learn, ATrapIsTheBasesSigsysAndAnAllowingDefaultBecomesARefusal) {
  TempDir profiles;
  std::ofstream(profiles.path() + "/trap.profile") << "include = default\nseccomp-trap = getppid\n";
  const std::string getppid = SyscallProbe(SYS_getppid);
  // As under the base: the probe has no SIGSYS handler and dies of it; nothing is written.
  LauncherRun trapped = RunLauncher({"--profile", profiles.path() + "/trap.profile", "--learn",
                                     File("t.profile"), "--", Probe(), "--params", getppid});
  EXPECT_EQ(trapped.out, "");
  EXPECT_EQ(trapped.signal(), SIGSYS);
  EXPECT_FALSE(Exists(File("t.profile")));
  // audit allows (and logs) by default: the learned profile refuses what the run did not make.
  const std::string file = File("audit-learned.profile");
  LauncherRun learned =
      RunLauncher({"--profile", "audit", "--learn", file, "--", Probe(), "--params", "pid"});
  ASSERT_EQ(learned.exit_code(), 0) << learned.err;
  EXPECT_TRUE(Has(ReadFileText(file), "\nseccomp-default = errno:EPERM\n"));
  EXPECT_EQ(RunLauncher({"--profile", file, "--", Probe(), "--params", "pid;" + getppid}).out,
            "pid=2\n" + getppid + "=EPERM\n");
}

TEST_F(Learn, BadUseIsRefusedBeforeAnythingRuns) {
  LauncherRun no_pid = RunLauncher({"--unshare-user", "--unshare-mount", "--ro-bind", "/",
                                    "--learn", File("x"), "--", "/bin/true"});
  EXPECT_EQ(no_pid.exit_code(), 125);
  EXPECT_TRUE(Has(no_pid.err, "--learn needs a pid namespace")) << no_pid.err;
  LauncherRun stray = RunLauncher({"--profile", "default", "--learn-always", "--", "/bin/true"});
  EXPECT_EQ(stray.exit_code(), 125);
  EXPECT_EQ(stray.err, "ncp-launch: --learn-also and --learn-always go with --learn FILE\n");
  LauncherRun unknown = RunLauncher({"--profile", "default", "--learn", File("x"), "--learn-also",
                                     "frobnicate", "--", "/bin/true"});
  EXPECT_EQ(unknown.exit_code(), 125);
  EXPECT_TRUE(Has(unknown.err, "no system call 'frobnicate'")) << unknown.err;
  EXPECT_FALSE(Exists(File("x")));
}

}  // namespace
}  // namespace ncp::testing
