#include "base/close_fds.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace ncp::base {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) >= 0; }

// In a forked process (it closes the test's own fds too): fds 10..20 open, keep 12, 15 and 20
// (given out of order, repeated, with a negative value); the process reports, as its exit
// status, the first fd whose state was wrong (0: none).
TEST(CloseAllFdsExcept, ClosesEveryFdButTheKeptOnes) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    for (int fd = 10; fd <= 20; ++fd) {
      if (dup2(STDERR_FILENO, fd) != fd) _exit(100);
    }
    if (!CloseAllFdsExcept({20, 15, -1, 12, 15}).ok()) _exit(101);
    for (int fd = 0; fd <= 30; ++fd) {
      const bool kept = fd == 12 || fd == 15 || fd == 20;
      if (IsOpen(fd) != kept) _exit(fd == 0 ? 102 : fd);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "fd (or step) " << WEXITSTATUS(status);
}

TEST(CloseAllFdsExcept, KeepingNothingClosesEverything) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!CloseAllFdsExcept({}).ok()) _exit(101);
    for (int fd = 0; fd <= 30; ++fd) {
      if (IsOpen(fd)) _exit(fd == 0 ? 102 : fd);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "fd (or step) " << WEXITSTATUS(status);
}

}  // namespace
}  // namespace ncp::base
