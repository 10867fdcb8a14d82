// Children die with the process that started them, even when the starting thread is long gone.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "base/pidfd.h"
#include "core/child_test_support.h"

extern char** environ;

namespace ncp::testing {
namespace {

TEST(ParentDeath, ChildOutlivesItsStartingThreadButNotItsProcess) {
  const char* program = NCP_TEST_PARENT_PROGRAM;
  Pipe out = MakePipe();
  Pipe in = MakePipe();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
  pid_t parent = 0;
  char* argv[] = {const_cast<char*>(program), nullptr};
  ASSERT_EQ(posix_spawn(&parent, program, &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  out.write.reset();
  in.read.reset();

  // The helper starts a sleeping child from a thread, joins that thread, waits 300 ms and says
  // whether the child is still alive.
  std::string line;
  char c;
  while (read(out.read.get(), &c, 1) == 1 && std::count(line.begin(), line.end(), '\n') < 2) {
    line += c;
    if (std::count(line.begin(), line.end(), '\n') == 2) break;
  }
  std::istringstream report(line);
  std::string key;
  int child = 0, alive = 0;
  report >> key >> child >> key >> alive;
  ASSERT_GT(child, 0) << line;
  EXPECT_EQ(alive, 1) << "the child died with the thread that started it";

  int pidfd = pidfd_open(child, 0);
  ASSERT_GE(pidfd, 0);
  kill(parent, SIGKILL);
  int status = 0;
  waitpid(parent, &status, 0);
  pollfd p{pidfd, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 10000), 1) << "the child outlived its parent process";
  close(pidfd);
}

}  // namespace
}  // namespace ncp::testing
