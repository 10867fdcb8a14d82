// A warm child's channel (warm_child_handoff.h), spoken to directly: this test is the child's
// fork server and its application at once. The order of the messages in the channel decides
// what the child does, so the crossings of a start and a letting-go are exact here, where
// through the library they are a matter of timing.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "core/child_test_support.h"
#include "core/protocol/unix_message.h"
#include "core/protocol/warm_child_handoff.h"
#include "core/protocol/wire.h"

extern char** environ;

namespace ncp::testing {
namespace {

using core::WarmChildHandoff;
using core::WarmChildMessage;

// The channel's two ends: ours, and the child's (SpawnWarmChild).
bool MakeChannel(base::UniqueFd* ours, base::UniqueFd* theirs) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return false;
  ours->reset(pair[0]);
  theirs->reset(pair[1]);
  return true;
}

// An `ncp-child --warm-child` whose parent (its "server") is this process, with `theirs` at
// fd 3. Messages sent on the other end before this are all there when the child first reads.
pid_t SpawnWarmChild(base::UniqueFd theirs, int stderr_fd = -1) {
  const std::string server = std::to_string(getpid());
  const pid_t pid = fork();
  if (pid == 0) {
    if (stderr_fd >= 0) dup2(stderr_fd, 2);
    dup2(theirs.get(), 3);  // dup2 clears close-on-exec on the copy
    execl(NCP_CHILD_PATH, "ncp-warm-child", "--warm-child", server.c_str(), "0",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// A channel and a child on it, spawned at once.
pid_t SpawnWarmChild(base::UniqueFd* channel) {
  base::UniqueFd theirs;
  return MakeChannel(channel, &theirs) ? SpawnWarmChild(std::move(theirs)) : -1;
}

// EchoParams with `params`, writing to its one named fd, "out".
std::string EchoRequest(const std::string& params) {
  core::WireRequest request;
  request.library = std::string(NCP_TEST_LIB_DIR) + "/libncp_test_entries.so";
  request.symbol = "EchoParams";
  request.params = params;
  request.process_name = "warm-channel-test";
  request.fd_names = {"out"};
  request.environment = core::EnvironmentBlock::Of(environ);
  return core::EncodeRequest(request);
}

// Probe "context" (directory, umask, environment), writing to its one named fd, "out".
core::WireRequest ProbeContextRequest() {
  core::WireRequest request;
  request.library = std::string(NCP_TEST_LIB_DIR) + "/libncp_test_entries.so";
  request.symbol = "Probe";
  request.params = "context";
  request.fd_names = {"out"};
  return request;
}

// Returns 0 or the send's errno.
int Send(int channel, const WarmChildHandoff& handoff, const std::string& request, int fd) {
  const iovec parts[] = {{const_cast<WarmChildHandoff*>(&handoff), sizeof handoff},
                         {const_cast<char*>(request.data()), request.size()}};
  return core::SendMessageParts(channel, parts, request.empty() ? 1 : 2, &fd, fd >= 0 ? 1 : 0)
             ? 0
             : errno;
}

int SendLetGo(int channel) { return Send(channel, {WarmChildMessage::kLetGo, 0, 0, 0}, "", -1); }

// The caller's word after its request (the umask it read meanwhile).
int SendGo(int channel, uint32_t umask = 022) {
  return Send(channel, {WarmChildMessage::kGo, 0, 0, umask}, "", -1);
}
int SendWithdraw(int channel) {
  return Send(channel, {WarmChildMessage::kWithdraw, 0, 0, 0}, "", -1);
}

int SendRequest(int channel, const std::string& request, int out) {
  return Send(channel, {WarmChildMessage::kRequest, 1, static_cast<uint32_t>(request.size()), 0},
              request, out);
}

int SendEcho(int channel, const std::string& params, int out) {
  return SendRequest(channel, EchoRequest(params), out);
}

// Whether `fd` has something to read (or its end) within `ms`.
bool ReadableWithin(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1;
}

int WaitStatus(pid_t pid) {
  int status = -1;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

TEST(WarmChildChannel, ARequestQueuedBehindALettingGoIsServed) {
  base::UniqueFd channel, theirs;
  ASSERT_TRUE(MakeChannel(&channel, &theirs));
  Pipe out = MakePipe();
  // Both are queued before the child exists: it reads the letting-go first, shuts the channel
  // down, and still finds the request sent before the shutdown.
  ASSERT_EQ(SendLetGo(channel.get()), 0);
  ASSERT_EQ(SendEcho(channel.get(), "served after all", out.write.get()), 0);
  ASSERT_EQ(SendGo(channel.get()), 0);
  const pid_t pid = SpawnWarmChild(std::move(theirs));
  ASSERT_GT(pid, 0);
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), "served after all");
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(WarmChildChannel, AfterALettingGoARequestIsRefusedToItsSender) {
  base::UniqueFd channel;
  const pid_t pid = SpawnWarmChild(&channel);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(SendLetGo(channel.get()), 0);
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  // The sender learns at once that nobody will serve it, so it can start the child otherwise.
  Pipe out = MakePipe();
  EXPECT_EQ(SendEcho(channel.get(), "never", out.write.get()), EPIPE);
}

TEST(WarmChildChannel, ALettingGoBehindARequestIsIgnored) {
  base::UniqueFd channel;
  const pid_t pid = SpawnWarmChild(&channel);
  ASSERT_GT(pid, 0);
  Pipe out = MakePipe();
  ASSERT_EQ(SendEcho(channel.get(), "first come", out.write.get()), 0);
  // The child keeps the channel open until the caller's word: both reach it.
  EXPECT_EQ(SendLetGo(channel.get()), 0);
  EXPECT_EQ(SendGo(channel.get()), 0);
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), "first come");
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// A request whose fds do not match its count is nothing to serve: the child runs no code of
// it and ends, and nothing it was sent stays open anywhere.
TEST(WarmChildChannel, AMalformedRequestRunsNothing) {
  base::UniqueFd channel;
  const pid_t pid = SpawnWarmChild(&channel);
  ASSERT_GT(pid, 0);
  Pipe out = MakePipe();
  const std::string request = EchoRequest("must not run");
  ASSERT_EQ(
      Send(channel.get(), {WarmChildMessage::kRequest, 2, static_cast<uint32_t>(request.size()), 0},
           request, out.write.get()),
      0);
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), "");
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// An unknown message type (a newer sender) is not taken for a request.
TEST(WarmChildChannel, AnUnknownMessageRunsNothing) {
  base::UniqueFd channel;
  const pid_t pid = SpawnWarmChild(&channel);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(Send(channel.get(), {static_cast<WarmChildMessage>(99), 0, 0, 0}, "", -1), 0);
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// The request goes before the caller has read its umask and credentials; nothing of it runs
// until the caller's go, and then under the go's umask, not the request's placeholder.
TEST(WarmChildChannel, ARequestRunsOnItsGoUnderTheGosUmask) {
  base::UniqueFd channel;
  const pid_t pid = SpawnWarmChild(&channel);
  ASSERT_GT(pid, 0);
  Pipe out = MakePipe();
  core::WireRequest request = ProbeContextRequest();
  request.umask = 0777;  // the placeholder a library start sends
  ASSERT_EQ(SendRequest(channel.get(), core::EncodeRequest(request), out.write.get()), 0);
  out.write.reset();
  EXPECT_FALSE(ReadableWithin(out.read.get(), 200)) << "the request ran before its go";
  ASSERT_EQ(SendGo(channel.get(), 027), 0);
  const std::string text = ReadAll(out.read.get());
  EXPECT_NE(text.find(" umask=027 "), std::string::npos) << text;
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// A request read after a letting-go whose go did not come before the shutdown: the child runs
// nothing, and the caller's go fails, so it starts the child another way.
TEST(WarmChildChannel, ARequestWhoseGoMissedTheShutdownRunsNothing) {
  base::UniqueFd channel, theirs;
  ASSERT_TRUE(MakeChannel(&channel, &theirs));
  Pipe out = MakePipe();
  ASSERT_EQ(SendLetGo(channel.get()), 0);
  ASSERT_EQ(SendEcho(channel.get(), "must not run", out.write.get()), 0);
  const pid_t pid = SpawnWarmChild(std::move(theirs));
  ASSERT_GT(pid, 0);
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), "");
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(SendGo(channel.get()), EPIPE);
}

// A directory the child cannot enter: it says so on stderr when it runs (and runs on in its own),
// and says nothing when it is withdrawn; whether it could enter it with the server's
// credentials is no news about the caller's.
TEST(WarmChildChannel, ADirectoryThatCannotBeEnteredIsToldOnlyWhenTheChildRuns) {
  for (const bool go : {true, false}) {
    SCOPED_TRACE(go ? "go" : "withdraw");
    base::UniqueFd channel, theirs;
    ASSERT_TRUE(MakeChannel(&channel, &theirs));
    Pipe err = MakePipe();
    const pid_t pid = SpawnWarmChild(std::move(theirs), err.write.get());
    ASSERT_GT(pid, 0);
    err.write.reset();
    Pipe out = MakePipe();
    core::WireRequest request = ProbeContextRequest();
    request.working_directory = "/nonexistent-ncp-directory";
    ASSERT_EQ(SendRequest(channel.get(), core::EncodeRequest(request), out.write.get()), 0);
    out.write.reset();
    ASSERT_EQ(go ? SendGo(channel.get()) : SendWithdraw(channel.get()), 0);
    const std::string text = ReadAll(out.read.get());
    const std::string said = ReadAll(err.read.get());
    const int status = WaitStatus(pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    if (go) {
      EXPECT_NE(said.find("cannot enter /nonexistent-ncp-directory"), std::string::npos) << said;
      EXPECT_NE(text.find("cwd="), std::string::npos) << text;
    } else {
      EXPECT_EQ(said, "");
      EXPECT_EQ(text, "");
    }
  }
}

// A withdrawn request (the caller's credentials are not the ones the child has) runs nothing,
// and neither does one whose caller hangs up before its word, or a go with no request.
TEST(WarmChildChannel, WithoutAGoNothingRuns) {
  enum class Ending { kWithdraw, kHangUp, kGoAlone };
  for (Ending ending : {Ending::kWithdraw, Ending::kHangUp, Ending::kGoAlone}) {
    SCOPED_TRACE(static_cast<int>(ending));
    base::UniqueFd channel;
    const pid_t pid = SpawnWarmChild(&channel);
    ASSERT_GT(pid, 0);
    Pipe out = MakePipe();
    switch (ending) {
      case Ending::kWithdraw:
        ASSERT_EQ(SendEcho(channel.get(), "must not run", out.write.get()), 0);
        ASSERT_EQ(SendWithdraw(channel.get()), 0);
        break;
      case Ending::kHangUp:
        ASSERT_EQ(SendEcho(channel.get(), "must not run", out.write.get()), 0);
        channel.reset();
        break;
      case Ending::kGoAlone:
        ASSERT_EQ(SendGo(channel.get()), 0);
        break;
    }
    out.write.reset();
    EXPECT_EQ(ReadAll(out.read.get()), "");  // and the child holds no copy of the pipe
    const int status = WaitStatus(pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
}

}  // namespace
}  // namespace ncp::testing
