// A library and an ncp-child of different versions (the package upgraded while the
// application ran): the fork server refuses every start with a message that says so, instead
// of misreading the records.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "core/protocol/fork_server_protocol.h"
#include "core/protocol/unix_message.h"

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

// A fork server of protocol `version` on the returned socket, with no warm pool.
pid_t StartServer(int version, base::UniqueFd* ours) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return -1;
  ours->reset(pair[0]);
  base::UniqueFd theirs(pair[1]);
  const std::string parent = std::to_string(getpid());
  const std::string version_text = std::to_string(version);
  const pid_t server = fork();
  if (server == 0) {
    dup2(theirs.get(), 3);  // dup2 clears close-on-exec on the copy
    execl(NCP_CHILD_PATH, "ncp-child", "--fork-server", parent.c_str(), version_text.c_str(), "0",
          "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  return server;
}

void ExpectServerEndsWithItsSocket(base::UniqueFd& ours, pid_t server) {
  ours.reset();  // the server ends with its application's socket
  int status = 0;
  ASSERT_EQ(waitpid(server, &status, 0), server);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(ForkServerProtocol, AHelperOfAnotherVersionRefusesEveryStartAndSaysWhy) {
  base::UniqueFd ours;
  const pid_t server = StartServer(core::kForkServerProtocolVersion + 1, &ours);
  ASSERT_GT(server, 0);
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
  ExpectServerEndsWithItsSocket(ours, server);
}

// Start messages the library never sends (an inline request that is empty, or on a start that
// execs; sizes that do not add up to the message; a size past its limit) are each answered
// with EINVAL under their own id, not dropped (their caller would wait for ever), and the
// server goes on serving.
TEST(ForkServerProtocol, MalformedStartsAreRefusedUnderTheirOwnIds) {
  base::UniqueFd ours;
  const pid_t server = StartServer(core::kForkServerProtocolVersion, &ours);
  ASSERT_GT(server, 0);
  const size_t fixed = offsetof(core::ForkServerStartMessage, tail);
  struct Case {
    uint32_t flags;
    uint32_t request_bytes;
    size_t sent;  // past the fixed part
  };
  const Case cases[] = {
      {core::kStartInlineRequest, 0, 0},                                 // inline but empty
      {core::kStartInlineRequest | core::kStartExecProgram, 4, 4},       // inline on a program
      {core::kStartInlineRequest | core::kStartExecLauncher, 4, 4},      // inline on isolated
      {core::kStartInlineRequest, 64, 4},                                // fewer bytes than said
      {core::kStartInlineRequest, core::kMaxInlineRequestBytes + 1, 0},  // past the limit
      {0, 4, 4},                                                         // bytes, no flag
  };
  auto start = std::make_unique<core::ForkServerStartMessage>();
  uint32_t id = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE(id);
    start->header.type = core::ForkServerMessageType::kStart;
    start->header.request_id = ++id;
    start->header.flags = c.flags;
    start->request_bytes = c.request_bytes;
    ASSERT_EQ(send(ours.get(), start.get(), fixed + c.sent, 0),
              static_cast<ssize_t>(fixed + c.sent));
    core::ForkServerFailure reply{};
    ASSERT_EQ(recv(ours.get(), &reply, sizeof reply, 0), static_cast<ssize_t>(sizeof reply));
    EXPECT_EQ(reply.header.type, core::ForkServerMessageType::kFailed);
    EXPECT_EQ(reply.header.request_id, id);
    EXPECT_EQ(reply.header.failure, core::StartFailure::kSystem);
    EXPECT_EQ(reply.header.error, EINVAL);
  }
  ExpectServerEndsWithItsSocket(ours, server);
}

bool SendConfigure(int socket, int32_t pool_size) {
  core::ForkServerConfigureMessage configure{};
  configure.header.type = core::ForkServerMessageType::kConfigure;
  configure.pool_size = pool_size;
  return send(socket, &configure, sizeof configure, 0) == static_cast<ssize_t>(sizeof configure);
}

// The warm children a server announces after the pool is turned on, within `wait_ms`.
int WarmChildrenAnnounced(int version, int wait_ms) {
  base::UniqueFd ours;
  const pid_t server = StartServer(version, &ours);
  if (server <= 0) return -1;
  if (!SendConfigure(ours.get(), 2)) return -1;
  int announced = 0;
  pollfd readable{ours.get(), POLLIN, 0};
  while (poll(&readable, 1, wait_ms) == 1) {
    core::ForkServerReplyBuffer message{};
    // MSG_CMSG_CLOEXEC, and the fds (if any) are dropped: only the message is counted.
    if (recv(ours.get(), &message, sizeof message, 0) <= 0) break;
    if (message.header.type == core::ForkServerMessageType::kWarmChildReady) ++announced;
  }
  ExpectServerEndsWithItsSocket(ours, server);
  return announced;
}

// A server of another version refuses every start; it must not hand out warm children either,
// whose channel would take a request of this version's format without a word.
TEST(ForkServerProtocol, AHelperOfAnotherVersionAnnouncesNoWarmChild) {
  EXPECT_EQ(WarmChildrenAnnounced(core::kForkServerProtocolVersion + 1, 500), 0);
  // What that is measured against: the same version announces the two it prepares.
  EXPECT_EQ(WarmChildrenAnnounced(core::kForkServerProtocolVersion, 500), 2);
}

// An application that ends with the server's messages unread (here: its warm children's
// announcements) leaves ECONNRESET, not EOF, on the server's socket: the server ends as it
// does at EOF.
TEST(ForkServerProtocol, TheServerEndsCleanlyWhenItsMessagesWereNotRead) {
  base::UniqueFd ours;
  const pid_t server = StartServer(core::kForkServerProtocolVersion, &ours);
  ASSERT_GT(server, 0);
  ASSERT_TRUE(SendConfigure(ours.get(), 2));
  pollfd readable{ours.get(), POLLIN, 0};
  ASSERT_EQ(poll(&readable, 1, 5000), 1);  // an announcement waits, unread
  ExpectServerEndsWithItsSocket(ours, server);
}

// A warm child as the server announced it.
struct Announced {
  uint32_t id = 0;
  pid_t pid = -1;
  base::UniqueFd pidfd, channel;
};

Announced ReceiveAnnouncement(int socket) {
  Announced a;
  core::ForkServerReplyBuffer message{};
  std::vector<base::UniqueFd> fds;
  const ssize_t n = core::ReceiveMessage(socket, &message, sizeof message, &fds, 2);
  if (n != static_cast<ssize_t>(sizeof(core::ForkServerWarmChild)) || fds.size() != 2 ||
      message.header.type != core::ForkServerMessageType::kWarmChildReady) {
    return a;
  }
  a.id = message.header.request_id;
  a.pid = message.header.pid;
  a.pidfd = std::move(fds[0]);
  a.channel = std::move(fds[1]);
  return a;
}

bool EndsWithin(const base::UniqueFd& pidfd, int ms) {
  pollfd ended{pidfd.get(), POLLIN, 0};
  return poll(&ended, 1, ms) == 1;
}

// kWarmChildTaken names a child by its id: a pid may belong to a later child by the time the
// message arrives (the first served a start, ended, and its pid came back). The server takes
// out of its pool only the child with that id; one it takes out is not let go with the pool.
TEST(ForkServerProtocol, AWarmChildIsNamedByItsIdNotItsPid) {
  base::UniqueFd ours;
  const pid_t server = StartServer(core::kForkServerProtocolVersion, &ours);
  ASSERT_GT(server, 0);
  ASSERT_TRUE(SendConfigure(ours.get(), 2));
  Announced first = ReceiveAnnouncement(ours.get());
  Announced second = ReceiveAnnouncement(ours.get());
  ASSERT_GT(first.pid, 0);
  ASSERT_GT(second.pid, 0);
  ASSERT_NE(first.id, second.id);
  // The first under another id (as a late message about an earlier child with its pid would
  // be), the second under its own.
  for (auto [id, pid] : {std::pair{first.id + 1000, first.pid}, std::pair{second.id, second.pid}}) {
    core::ForkServerMessage taken{};
    taken.type = core::ForkServerMessageType::kWarmChildTaken;
    taken.request_id = id;
    taken.pid = pid;
    ASSERT_EQ(send(ours.get(), &taken, sizeof taken, 0), static_cast<ssize_t>(sizeof taken));
  }
  ASSERT_TRUE(SendConfigure(ours.get(), 0));  // the pool is emptied: its children let go
  EXPECT_TRUE(EndsWithin(first.pidfd, 2000)) << "the first was taken for another's id";
  EXPECT_FALSE(EndsWithin(second.pidfd, 300)) << "a taken child was let go with the pool";
  second.channel.reset();  // the server's copy is gone with the pool: the child ends at EOF
  EXPECT_TRUE(EndsWithin(second.pidfd, 2000));
  ExpectServerEndsWithItsSocket(ours, server);
}

}  // namespace
}  // namespace ncp::testing
