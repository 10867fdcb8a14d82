// A library and an ncp-child of different versions (the package upgraded while the
// application ran): the fork server refuses every start with a message that says so, instead
// of misreading the records.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "base/unique_fd.h"
#include "core/protocol/fork_server_protocol.h"

namespace ncp::testing {
namespace {

bool SendWithFd(int socket, const void* data, size_t size, int fd) {
  iovec iov{const_cast<void*>(data), size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return sendmsg(socket, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(size);
}

TEST(ForkServerProtocol, AHelperOfAnotherVersionRefusesEveryStartAndSaysWhy) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
  base::UniqueFd ours(pair[0]), theirs(pair[1]);
  const std::string parent = std::to_string(getpid());
  const std::string other_version = std::to_string(core::kForkServerProtocolVersion + 1);
  const pid_t server = fork();
  ASSERT_GE(server, 0);
  if (server == 0) {
    dup2(theirs.get(), 3);  // dup2 clears close-on-exec on the copy
    execl(NCP_CHILD_PATH, "ncp-child", "--fork-server", parent.c_str(), other_version.c_str(), "0",
          "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  theirs.reset();
  auto start = std::make_unique<core::ForkServerStartMessage>();
  start->header.type = core::ForkServerMessageType::kStart;
  start->header.request_id = 7;
  base::UniqueFd request(memfd_create("request", MFD_CLOEXEC));
  ASSERT_TRUE(SendWithFd(ours.get(), start.get(), offsetof(core::ForkServerStartMessage, tail),
                         request.get()));
  core::ForkServerFailure reply{};
  ASSERT_EQ(recv(ours.get(), &reply, sizeof reply, 0), static_cast<ssize_t>(sizeof reply));
  EXPECT_EQ(reply.header.type, core::ForkServerMessageType::kFailed);
  EXPECT_EQ(reply.header.request_id, 7u);
  EXPECT_EQ(reply.header.failure, core::StartFailure::kProtocolMismatch);
  EXPECT_NE(std::string(reply.message).find("restart the application"), std::string::npos)
      << reply.message;
  ours.reset();  // the server ends with its application's socket
  int status = 0;
  ASSERT_EQ(waitpid(server, &status, 0), server);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace ncp::testing
