#include "base/fd_numbers.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ncp::base {
namespace {

TEST(KeepOffStandardFds, MovesAnFdOnAStandardNumberAboveItAndClosesTheOriginal) {
  // In a child: this process's own stdin must stay.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(0);
    UniqueFd low(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (low.get() != 0) _exit(1);
    UniqueFd moved = KeepOffStandardFds(std::move(low));
    if (moved.get() < 3) _exit(2);
    if (fcntl(0, F_GETFD) != -1) _exit(3);                          // the original is closed
    if ((fcntl(moved.get(), F_GETFD) & FD_CLOEXEC) == 0) _exit(4);  // close-on-exec
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(KeepOffStandardFds, LeavesAnFdAboveTheStandardOnesWhereItIs) {
  UniqueFd fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_GE(fd.get(), 3);
  const int number = fd.get();
  EXPECT_EQ(KeepOffStandardFds(std::move(fd)).get(), number);
}

TEST(MoveAbove, GivesACopyAtOrAboveTheFloorOrAnError) {
  UniqueFd fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  auto moved = MoveAbove(std::move(fd), 100);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_GE(moved->get(), 100);
  UniqueFd another(open("/dev/null", O_RDONLY | O_CLOEXEC));
  auto refused = MoveAbove(std::move(another), 1 << 30);  // past any fd limit
  EXPECT_FALSE(refused.ok());
}

}  // namespace
}  // namespace ncp::base
