// A copy of the application made by a raw clone (no fork handlers run; a sandbox helper made
// with clone(CLONE_NEWUSER | CLONE_NEWPID), say) must not start children through its parent's
// fork server, which serves the parent's credentials as the parent had them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "AbilityKit/native_child_process.h"
#include "core/child_test_support.h"

namespace ncp::testing {
namespace {

// The parent of `pid` (the PPid line of its status), or -1.
pid_t ParentOf(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("PPid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(5)));
  }
  return -1;
}

TEST(RawClone, StartsThroughAForkServerOfItsOwn) {
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer's runtime is not prepared for a raw clone of a process with threads.
  GTEST_SKIP() << "a raw clone of a threaded process under ThreadSanitizer";
#endif
  int32_t parents_child = 0;
  ASSERT_EQ(StartEntry("Sleep", nullptr, nullptr, &parents_child), NCP_NO_ERROR);
  const pid_t parents_server = ParentOf(parents_child);
  ASSERT_EQ(ParentOf(parents_server), getpid());
  const long pid = syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(20);  // a hang fails the test instead of stopping it
    int32_t child = 0;
    if (StartEntry("Sleep", nullptr, nullptr, &child) != NCP_NO_ERROR) _exit(2);
    const pid_t server = ParentOf(child);
    const int answer = server == parents_server ? 3 : ParentOf(server) == getpid() ? 0 : 4;
    OH_Ability_KillChildProcess(child);
    _exit(answer);
  }
  int status = 0;
  ASSERT_EQ(waitpid(static_cast<pid_t>(pid), &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: the parent's fork server started it";
  EXPECT_EQ(OH_Ability_KillChildProcess(parents_child), NCP_NO_ERROR);
}

}  // namespace
}  // namespace ncp::testing
