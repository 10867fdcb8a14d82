// The fork server's credentials (issue 9 item 7): a child never has more privilege than its
// caller had at the call, whatever the fork server was started with; and a fork server that
// cannot give a child a pidfd starts nothing (item 6, found by reading).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "child_test_support.h"

extern char** environ;

namespace ncp::testing {
namespace {

const char* const kKeys[] = {"Uid:",    "Gid:",    "Groups:", "CapInh:",    "CapPrm:",
                             "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:"};

// Runs the helper in `mode` and returns all it and its children wrote to stdout, to EOF.
std::string RunCredentialParent(const std::string& mode) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return "";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  pid_t pid = 0;
  std::string program = NCP_TEST_CREDENTIAL_PARENT;
  char* argv[] = {program.data(), const_cast<char*>(mode.c_str()), nullptr};
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while (rc == 0 && (n = read(out[0], buf, sizeof buf)) > 0) text.append(buf, n);
  close(out[0]);
  int status = 0;
  if (rc == 0) waitpid(pid, &status, 0);
  return text;
}

// The line "PREFIX KEY..." of `text`, without the prefix ("" when missing).
std::string Line(const std::string& text, const std::string& prefix, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  const std::string start = prefix + " " + key;
  while (std::getline(in, line)) {
    if (line.rfind(start, 0) == 0) return line.substr(prefix.size() + 1);
  }
  return "";
}

void ExpectChildHasCallersCredentials(const std::string& text, const std::string& name) {
  for (const char* key : kKeys) {
    SCOPED_TRACE(key);
    const std::string child = Line(text, name, key);
    EXPECT_FALSE(child.empty()) << text;
    EXPECT_EQ(child, Line(text, "caller-" + name, key)) << text;
  }
}

void ExpectDroppedToNobody(const std::string& text, const std::string& name) {
  EXPECT_EQ(Line(text, name, "Uid:"), "Uid:\t65534\t65534\t65534\t65534") << text;
  EXPECT_EQ(Line(text, name, "Gid:"), "Gid:\t65534\t65534\t65534\t65534") << text;
  EXPECT_EQ(Line(text, name, "Groups:").find_first_of("0123456789"), std::string::npos) << text;
  EXPECT_EQ(Line(text, name, "CapEff:"), "CapEff:\t0000000000000000") << text;
  EXPECT_EQ(Line(text, name, "CapPrm:"), "CapPrm:\t0000000000000000") << text;
  EXPECT_EQ(Line(text, name, "CapAmb:"), "CapAmb:\t0000000000000000") << text;
}

TEST(Credentials, ChildOfAProcessThatDroppedToNobodyIsNobody) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop from";
  const std::string text = RunCredentialParent("process");
  EXPECT_NE(text.find("start first 0 \n"), std::string::npos) << text;
  EXPECT_NE(text.find("start second 0 \n"), std::string::npos) << text;
  EXPECT_EQ(Line(text, "first", "Uid:"), "Uid:\t0\t0\t0\t0") << text;
  EXPECT_EQ(Line(text, "first", "Groups:"), "Groups:\t10 100 ") << text;
  ExpectChildHasCallersCredentials(text, "first");
  ExpectChildHasCallersCredentials(text, "second");
  ExpectDroppedToNobody(text, "second");
  EXPECT_NE(text.find("exits 2\n"), std::string::npos) << "both exit callbacks fire\n" << text;
}

TEST(Credentials, ChildGetsTheCallingThreadsCredentials) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop from";
  const std::string text = RunCredentialParent("thread");
  EXPECT_NE(text.find("start second 0 \n"), std::string::npos) << text;
  ExpectChildHasCallersCredentials(text, "second");
  ExpectDroppedToNobody(text, "second");
  EXPECT_EQ(Line(text, "caller-main", "Uid:"), "Uid:\t0\t0\t0\t0") << "only the thread dropped";
  // The thread also dropped a capability from its bounding set; the child lacks it too.
  EXPECT_NE(Line(text, "second", "CapBnd:"), Line(text, "first", "CapBnd:")) << text;
  EXPECT_NE(text.find("exits 2\n"), std::string::npos) << text;
}

// Prepared children were made with root's credentials, before the drop: the request goes to
// one before the caller's credentials are read, and the child must not serve it (it is
// withdrawn, unreported); the start is made cold, with the caller's.
TEST(Credentials, APreparedChildNeverServesACallerThatDropped) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop from";
  for (const char* mode : {"process-warm", "thread-warm"}) {
    SCOPED_TRACE(mode);
    const std::string text = RunCredentialParent(mode);
    EXPECT_NE(text.find("start second 0 \n"), std::string::npos) << text;
    ExpectChildHasCallersCredentials(text, "second");
    ExpectDroppedToNobody(text, "second");
    EXPECT_NE(text.find("exits 2\n"), std::string::npos) << "one callback per start\n" << text;
  }
}

// A caller whose credentials are not the server's does not take a prepared child at every
// start only to withdraw it (each would cost the server a refill, and the pool its children).
TEST(Credentials, ACallerThatDroppedStopsTakingPreparedChildren) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop from";
  const std::string text = RunCredentialParent("churn");
  EXPECT_NE(text.find("prepared-kept 1 "), std::string::npos) << text;
  EXPECT_NE(text.find("exits 5\n"), std::string::npos) << text;
}

TEST(ForkServer, FailedPidfdOpenStartsNothing) {
  const std::string text = RunCredentialParent("pidfd");
  EXPECT_NE(text.find("start first 0 \n"), std::string::npos) << text;
  EXPECT_EQ(text.find("start second 0 \n"), std::string::npos) << "the start must fail\n" << text;
  // Both sides agree, and say why: the server reported the failed pidfd_open (EMFILE) instead
  // of "started" without a pidfd, which the registry took for a failure of its own.
  EXPECT_NE(text.find("start second 16010003 the fork server cannot start the child: Too many "
                      "open files"),
            std::string::npos)
      << text;
  // An untracked child would have printed "second" (and its exit would never be reported).
  EXPECT_EQ(text.find("\nsecond\n"), std::string::npos) << text;
  EXPECT_NE(text.find("exits 1\n"), std::string::npos) << text;
}

// The other side of the same agreement: when the pidfd cannot be received (the application's
// fd table is full), the start fails instead of waiting forever, and the child does not stay.
TEST(ForkServer, PidfdThatCannotBeReceivedFailsTheStart) {
  const std::string text = RunCredentialParent("fulltable");
  EXPECT_NE(text.find("start first 0 \n"), std::string::npos) << text;
  EXPECT_NE(text.find("start second 16010003 no room for the child's pidfd in this process"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("children-left 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("exits 1\n"), std::string::npos) << text;
}

// Prepared children announced while the application's fd table is full come without their
// channel and pidfd: the application refuses them and the server lets them go (none is left
// waiting), and the next start, with room again, runs.
TEST(ForkServer, WarmChildrenThatCannotBeReceivedAreLetGo) {
  const std::string text = RunCredentialParent("fullwarm");
  EXPECT_NE(text.find("children-left 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("start second 0 \n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nsecond Uid:"), std::string::npos) << text;
  EXPECT_NE(text.find("exits 2\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace ncp::testing
