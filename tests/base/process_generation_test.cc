// A process is told from its copies (base/process_generation.h): by fork(), by a raw clone that
// runs no fork handler, and by a raw clone into a new pid namespace that has its parent's pid.
#include "base/process_generation.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "testing/testing.h"

namespace ncp::base {
namespace {

// A raw clone (no fork handlers, as a program that calls the syscall itself makes one) that runs
// `body` and exits with what it returns; -1 when it could not be made or did not exit.
template <typename Body>
int InRawClone(unsigned long flags, Body body) {
  const long pid = syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) return -1;
  if (pid == 0) _exit(body());
  int status = 0;
  if (waitpid(static_cast<pid_t>(pid), &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(ProcessGeneration, IsStableWithinAProcess) {
  const uint64_t generation = ThisProcessGeneration();
  EXPECT_NE(generation, 0u);
  EXPECT_EQ(ThisProcessGeneration(), generation);
}

TEST(ProcessGeneration, DiffersInAForkedChild) {
  const uint64_t parent = ThisProcessGeneration();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const uint64_t child = ThisProcessGeneration();
    _exit(child != 0 && child != parent && ThisProcessGeneration() == child ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(ThisProcessGeneration(), parent) << "the parent's stays";
}

TEST(ProcessGeneration, DiffersInARawClone) {
  const uint64_t parent = ThisProcessGeneration();
  EXPECT_EQ(InRawClone(0, [parent] { return ThisProcessGeneration() != parent ? 0 : 1; }), 0);
}

// The case a pid cannot tell: a pid 1 whose raw clone into a new pid namespace is pid 1 too.
TEST(ProcessGeneration, DiffersInACopyWithTheSamePid) {
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(InRawClone(CLONE_NEWUSER | CLONE_NEWPID,
                       [] {
                         const uint64_t first = ThisProcessGeneration();
                         if (getpid() != 1) return 2;
                         return InRawClone(CLONE_NEWPID, [first] {
                           if (getpid() != 1) return 3;
                           return ThisProcessGeneration() != first ? 0 : 1;
                         });
                       }),
            0);
}

}  // namespace
}  // namespace ncp::base
