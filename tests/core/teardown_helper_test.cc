// The teardown helper (lib/core/child/teardown_helper.h): every normal child has one while it
// runs. It holds nothing but the child's pidfd, blocks every signal, is confined to waiting and
// exiting, is the fork server's child, and ends with its child. A child that rewrites the code
// its helper runs gains nothing from the helper's credentials.
#include <dirent.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "core/child_test_support.h"
#include "ncp/native_child_process_ext.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

// The value of `key` ("Seccomp:") in /proc/PID/status, without the tab.
std::string StatusField(pid_t pid, const std::string& key) {
  std::istringstream status(ReadFileText("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(key, 0) == 0) return line.substr(line.find_first_not_of(" \t", key.size()));
  }
  return "";
}

pid_t ParentOf(pid_t pid) { return std::stoi(StatusField(pid, "PPid:")); }

std::vector<std::string> FdsOf(pid_t pid) {
  std::vector<std::string> fds;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  while (dirent* e = d ? readdir(d) : nullptr) {
    if (e->d_name[0] != '.') fds.push_back(e->d_name);
  }
  if (d != nullptr) closedir(d);
  return fds;
}

// The helper of `child`: a process named ncp-teardown holding a pidfd of `child`.
std::optional<pid_t> HelperOf(pid_t child) {
  std::optional<pid_t> found;
  DIR* proc = opendir("/proc");
  while (dirent* e = proc ? readdir(proc) : nullptr) {
    const pid_t pid = atoi(e->d_name);
    if (pid <= 0 || ReadFileText("/proc/" + std::to_string(pid) + "/comm") != "ncp-teardown\n") {
      continue;
    }
    for (const std::string& fd : FdsOf(pid)) {
      const std::string info = ReadFileText("/proc/" + std::to_string(pid) + "/fdinfo/" + fd);
      if (info.find("\nPid:\t" + std::to_string(child) + "\n") != std::string::npos) found = pid;
    }
  }
  if (proc != nullptr) closedir(proc);
  return found;
}

// "SOFT HARD" of /proc/PID/limits' "Max core file size" line.
std::string CoreLimit(pid_t pid) {
  std::istringstream limits(ReadFileText("/proc/" + std::to_string(pid) + "/limits"));
  for (std::string line; std::getline(limits, line);) {
    if (line.rfind("Max core file size", 0) != 0) continue;
    std::istringstream fields(line.substr(std::string("Max core file size").size()));
    std::string soft, hard;
    fields >> soft >> hard;
    return soft + " " + hard;
  }
  return "";
}

// Polls `condition` every 2 ms for up to 10 s.
bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

bool Gone(pid_t pid) {
  return Eventually([&] { return !ProcessExists(pid); });
}

// A child of `entry` with an "out" pipe and an "in" pipe (the test keeps their other ends).
// Its entry says "ready\n" first: it runs its user's code, so its helper is confined.
struct PipedChild {
  Pipe out = MakePipe();
  Pipe in = MakePipe();
  int32_t pid = 0;
  int started = -1;  // Start*'s result
  PipedChild(const char* entry, const char* params) {
    FdList fds;
    fds.Add("out", out.write.get()).Add("in", in.read.get());
    started = StartEntry(entry, params, &fds, &pid);
    out.write.reset();
    in.read.reset();
  }
  // The next `n` bytes it says.
  std::string Hear(size_t n) {
    std::string said(n, '\0');
    return read(out.read.get(), said.data(), n) == static_cast<ssize_t>(n) ? said : "";
  }
  bool Tell() { return write(in.write.get(), "g", 1) == 1; }
};

class TeardownHelperTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override { ASSERT_EQ(NCP_SetWarmPool(GetParam(), 30000), NCP_NO_ERROR); }
  void TearDown() override { NCP_SetWarmPool(2, 30000); }
};

TEST_P(TeardownHelperTest, IsConfinedHoldsOnlyTheChildsPidfdAndEndsWithIt) {
  ExitWatcher watcher;
  PipedChild child("ReadyThenWaitForByte", nullptr);
  ASSERT_EQ(child.started, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  const pid_t pid = child.pid;
  ASSERT_EQ(child.Hear(6), "ready\n");
  const std::optional<pid_t> helper = HelperOf(pid);
  ASSERT_TRUE(helper.has_value());
  EXPECT_EQ(FdsOf(*helper).size(), 1u);
  EXPECT_EQ(StatusField(*helper, "Seccomp:"), "2");
  EXPECT_EQ(StatusField(*helper, "NoNewPrivs:"), "1");
  // Every signal but SIGKILL and SIGSTOP, which cannot be blocked.
  EXPECT_EQ(StatusField(*helper, "SigBlk:"), "fffffffffffbfeff");
  EXPECT_EQ(StatusField(*helper, "CapPrm:"), "0000000000000000");
  EXPECT_EQ(StatusField(*helper, "CapEff:"), "0000000000000000");
  EXPECT_EQ(CoreLimit(*helper), "0 0");
  EXPECT_EQ(ParentOf(*helper), ParentOf(pid));  // the fork server's, like the child
  ASSERT_TRUE(child.Tell());
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
  EXPECT_TRUE(Gone(*helper));
}

// Cold (every start forked by the server) and warm (prepared children).
INSTANTIATE_TEST_SUITE_P(Pools, TeardownHelperTest, ::testing::Values(0, 2));

TEST(TeardownHelper, ChildRewritingTheHelpersCodeGainsNothing) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "the attack's code is x86-64";
#endif
#if defined(__SANITIZE_THREAD__)
  // Its writes to the library's code have no ThreadSanitizer shadow (the run under ASan has it).
  GTEST_SKIP() << "ThreadSanitizer cannot follow a write to code";
#endif
  TempDir dir;
  const std::string marker = dir.path() + "/written-by-the-helper";
  ExitWatcher watcher;
  PipedChild child("HijackTeardownHelper", marker.c_str());
  ASSERT_EQ(child.started, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  const pid_t pid = child.pid;
  ASSERT_EQ(child.Hear(6), "ready\n");
  const std::optional<pid_t> helper = HelperOf(pid);
  ASSERT_TRUE(helper.has_value());
  EXPECT_EQ(StatusField(*helper, "Seccomp:"), "2");
  ASSERT_TRUE(child.Tell());
  ASSERT_EQ(child.Hear(8), "patched\n");
  // The child ends; its helper's wait returns into the rewritten code, which tries to create
  // the marker with the helper's credentials. Confined, the helper is killed instead. (A
  // helper the patching caught on its way into that wait gets there at once: the same.)
  ASSERT_TRUE(child.Tell());
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
  EXPECT_TRUE(Gone(*helper));
  struct stat st;
  EXPECT_NE(stat(marker.c_str(), &st), 0) << "the hijacked helper wrote " << marker;
}

// Kills the process at setpriority, which the helper calls while it sets up (and nothing else
// on a child's way does). x86-64 and arm64; false where it could not be installed.
bool KillSetpriority() {
#if defined(__x86_64__)
  constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#else
  constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#endif
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setpriority, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0;
}

// An application whose seccomp filter kills a call the helper makes while it sets up: the
// helper dies unconfined, and the child runs its entry without one (the kernel's clearing of
// the helper's word, as it exits, wakes the child at once).
TEST(TeardownHelper, OneThatDiesBeforeItIsConfinedLeavesTheChildWithoutOne) {
  const pid_t app = fork();
  ASSERT_GE(app, 0);
  if (app == 0) {
    // A copy of this process: its first start spawns a fork server of its own, which, with
    // every child and helper, inherits the filter.
    if (!KillSetpriority()) _exit(10);
    PipedChild child("ReadyThenWaitForByte", nullptr);
    if (child.started != NCP_NO_ERROR) _exit(11);
    if (child.Hear(6) != "ready\n") _exit(12);
    if (HelperOf(child.pid).has_value()) _exit(13);
    if (!child.Tell()) _exit(14);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(app, &status, 0), app);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

}  // namespace
}  // namespace ncp::testing
