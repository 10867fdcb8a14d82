// A hostile peer, written for the test: it speaks the wire format by hand over a raw socket and
// sends what a broken or malicious process could. The library must answer with an IPC error code
// and close the connection — never crash, hang or leak fds. Every wait has its own timeout.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <future>
#include <thread>
#include <vector>

#include "IPCKit/ipc_kit.h"
#include "ipc/wire.h"
#include "ncp_ipc_private.h"
#include "peer_process.h"

namespace {

using ncp::ipc::FrameHeader;
using ncp::ipc::FrameType;
using ncp::ipc::Parcel;
using ncp::ipc::WireObject;
using ncp::ipc::WireObjectKind;
using ncp::ipc::testing::OpenFdCount;
using ncp::ipc::testing::WaitFor;

constexpr uint32_t kHostileRootHandle = 5;

int ServeRequest(uint32_t, const OHIPCParcel*, OHIPCParcel* reply, void*) {
  return OH_IPCParcel_WriteInt32(reply, 1);
}

bool SendRaw(int fd, const void* bytes, size_t len, const std::vector<int>& fds = {}) {
  iovec iov = {const_cast<void*>(bytes), len};
  msghdr message = {};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  std::vector<unsigned char> control;
  if (!fds.empty()) {
    control.resize(CMSG_SPACE(fds.size() * sizeof(int)));
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    cmsghdr* cmsg = CMSG_FIRSTHDR(&message);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), fds.data(), fds.size() * sizeof(int));
  }
  return ::sendmsg(fd, &message, MSG_NOSIGNAL) == static_cast<ssize_t>(len);
}

bool SendHeader(int fd, const FrameHeader& header) { return SendRaw(fd, &header, sizeof(header)); }

// Reads one packet; returns its size, 0 on EOF, -1 on timeout.
ssize_t ReadPacket(int fd, std::vector<uint8_t>* packet, int timeout_ms = 10000) {
  pollfd pfd = {fd, POLLIN, 0};
  if (::poll(&pfd, 1, timeout_ms) <= 0) return -1;
  packet->resize(512 * 1024);
  ssize_t got = ::recv(fd, packet->data(), packet->size(), 0);
  if (got >= 0) packet->resize(static_cast<size_t>(got));
  return got;
}

// The library side of the connection under attack, adopting one end of a socketpair; the test
// owns the other end (`raw`) and plays the peer.
class HostilePeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    raw_ = fds[1];
    stub_ = OH_IPCRemoteStub_Create("ncp.test.Victim", ServeRequest, nullptr, nullptr);
    ASSERT_EQ(ncp_ipc_connection_adopt(fds[0], stub_, &connection_), OH_IPC_SUCCESS);
    std::vector<uint8_t> hello;
    ASSERT_GE(ReadPacket(raw_, &hello), static_cast<ssize_t>(sizeof(FrameHeader)));
    std::memcpy(&library_hello_, hello.data(), sizeof(FrameHeader));
    ASSERT_EQ(library_hello_.type, static_cast<uint16_t>(FrameType::kHello));
  }
  void TearDown() override {
    OH_IPCRemoteProxy_Destroy(proxy_);
    ncp_ipc_connection_release(connection_);
    OH_IPCRemoteStub_Destroy(stub_);
    if (raw_ >= 0) ::close(raw_);
  }

  // Completes the handshake, offering a root object, and returns the library's proxy to it.
  void Handshake() {
    FrameHeader hello;
    hello.type = static_cast<uint16_t>(FrameType::kHello);
    hello.target = kHostileRootHandle;
    ASSERT_TRUE(SendHeader(raw_, hello));
    ASSERT_EQ(ncp_ipc_connection_wait_peer(connection_, 10000), OH_IPC_SUCCESS);
    proxy_ = ncp_ipc_connection_peer_root(connection_);
    ASSERT_NE(proxy_, nullptr);
  }

  // Starts a synchronous request on the proxy and returns the request frame the peer received.
  std::future<int> StartRequest(FrameHeader* request) {
    auto result = std::async(std::launch::async, [this] {
      OHIPCParcel* data = OH_IPCParcel_Create();
      OHIPCParcel* reply = OH_IPCParcel_Create();
      OH_IPCParcel_WriteInt32(data, 7);
      int rc = OH_IPCRemoteProxy_SendRequest(proxy_, 1, data, reply, nullptr);
      OH_IPCParcel_Destroy(data);
      OH_IPCParcel_Destroy(reply);
      return rc;
    });
    std::vector<uint8_t> packet;
    EXPECT_GE(ReadPacket(raw_, &packet), static_cast<ssize_t>(sizeof(FrameHeader)));
    if (packet.size() >= sizeof(FrameHeader)) std::memcpy(request, packet.data(), sizeof(*request));
    EXPECT_EQ(request->type, static_cast<uint16_t>(FrameType::kRequest));
    EXPECT_EQ(request->target, kHostileRootHandle);
    return result;
  }

  // The library closed its end: the peer reads EOF (within the harness timeout).
  bool ClosedByLibrary() {
    std::vector<uint8_t> packet;
    for (int i = 0; i < 100; ++i) {
      ssize_t got = ReadPacket(raw_, &packet);
      if (got == 0) return true;
      if (got < 0) return false;  // timeout
    }
    return false;
  }

  void ExpectRequestFailsAndConnectionCloses(std::future<int>& result) {
    ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(result.get(), OH_IPC_DEAD_REMOTE_OBJECT);
    EXPECT_TRUE(ClosedByLibrary());
    EXPECT_EQ(ncp_ipc_connection_is_dead(connection_), 1);
    EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(proxy_), 1);
  }

  int raw_ = -1;
  OHIPCRemoteStub* stub_ = nullptr;
  ncp_ipc_connection* connection_ = nullptr;
  OHIPCRemoteProxy* proxy_ = nullptr;
  FrameHeader library_hello_;
};

TEST_F(HostilePeerTest, GarbageBeforeHelloClosesAndWaitReportsDeath) {
  const char garbage[] = "GET / HTTP/1.1\r\n\r\n";
  ASSERT_TRUE(SendRaw(raw_, garbage, sizeof(garbage)));
  EXPECT_EQ(ncp_ipc_connection_wait_peer(connection_, 10000), OH_IPC_DEAD_REMOTE_OBJECT);
  EXPECT_EQ(ncp_ipc_connection_peer_root(connection_), nullptr);
  EXPECT_TRUE(ClosedByLibrary());
}

TEST_F(HostilePeerTest, TruncatedReplyFailsRequest) {
  Handshake();
  FrameHeader request;
  std::future<int> result = StartRequest(&request);
  FrameHeader reply;
  reply.type = static_cast<uint16_t>(FrameType::kReply);
  reply.id = request.id;
  ASSERT_TRUE(SendRaw(raw_, &reply, sizeof(reply) / 2));
  ExpectRequestFailsAndConnectionCloses(result);
}

TEST_F(HostilePeerTest, ReplyShorterThanItsLengthFieldsFailsRequest) {
  Handshake();
  FrameHeader request;
  std::future<int> result = StartRequest(&request);
  FrameHeader reply;
  reply.type = static_cast<uint16_t>(FrameType::kReply);
  reply.id = request.id;
  reply.data_size = 64;  // promises 64 bytes, sends 8, then a bogus "continuation" with fds
  std::vector<uint8_t> bytes(sizeof(reply) + 8);
  std::memcpy(bytes.data(), &reply, sizeof(reply));
  ASSERT_TRUE(SendRaw(raw_, bytes.data(), bytes.size()));
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  ASSERT_TRUE(SendRaw(raw_, bytes.data(), 8, {pipe_fds[0]}));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  ExpectRequestFailsAndConnectionCloses(result);
}

TEST_F(HostilePeerTest, HugeLengthFieldsFailRequest) {
  Handshake();
  FrameHeader request;
  std::future<int> result = StartRequest(&request);
  FrameHeader reply;
  reply.type = static_cast<uint16_t>(FrameType::kReply);
  reply.id = request.id;
  reply.data_size = 0xffffffffu;
  reply.object_count = 0xffffffffu;
  ASSERT_TRUE(SendHeader(raw_, reply));
  ExpectRequestFailsAndConnectionCloses(result);
}

TEST_F(HostilePeerTest, ReplyToUnknownRequestCloses) {
  Handshake();
  FrameHeader request;
  std::future<int> result = StartRequest(&request);
  FrameHeader reply;
  reply.type = static_cast<uint16_t>(FrameType::kReply);
  reply.id = request.id + 1000;
  ASSERT_TRUE(SendHeader(raw_, reply));
  ExpectRequestFailsAndConnectionCloses(result);
}

TEST_F(HostilePeerTest, WrongHandleInReplyObjectFailsRequest) {
  Handshake();
  FrameHeader request;
  std::future<int> result = StartRequest(&request);
  FrameHeader reply;
  reply.type = static_cast<uint16_t>(FrameType::kReply);
  reply.id = request.id;
  reply.data_size = Parcel::kObjectSlotSize;
  reply.object_count = 1;
  WireObject object;
  object.kind = static_cast<uint16_t>(WireObjectKind::kReceiverObject);
  object.value = 0x7777;  // we never exported this
  std::vector<uint8_t> frame(sizeof(reply) + Parcel::kObjectSlotSize + sizeof(object));
  std::memcpy(frame.data(), &reply, sizeof(reply));
  std::memcpy(frame.data() + sizeof(reply) + Parcel::kObjectSlotSize, &object, sizeof(object));
  ASSERT_TRUE(SendRaw(raw_, frame.data(), frame.size()));
  ExpectRequestFailsAndConnectionCloses(result);
}

TEST_F(HostilePeerTest, RequestForUnknownHandleCloses) {
  Handshake();
  FrameHeader request;
  request.type = static_cast<uint16_t>(FrameType::kRequest);
  request.id = 1;
  request.target = library_hello_.target + 100;
  request.code = 1;
  ASSERT_TRUE(SendHeader(raw_, request));
  EXPECT_TRUE(ClosedByLibrary());
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(proxy_), 1);
}

TEST_F(HostilePeerTest, ReleaseOfMoreThanHeldCloses) {
  Handshake();
  FrameHeader release;
  release.type = static_cast<uint16_t>(FrameType::kRelease);
  release.target = library_hello_.target;
  release.code = 2;  // we handed over one reference
  ASSERT_TRUE(SendHeader(raw_, release));
  EXPECT_TRUE(ClosedByLibrary());
}

TEST_F(HostilePeerTest, TooManyFdsInOneFrameCloseWithoutLeaks) {
  Handshake();
  int before = OpenFdCount();
  FrameHeader request;
  std::future<int> result = StartRequest(&request);
  // 300 fds in one frame: the kernel takes at most 253 per message, so the frame is two packets
  // (250 + 50), and the first alone already exceeds what a frame may carry.
  std::vector<int> fds(300);
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  for (int& fd : fds) fd = pipe_fds[0];
  struct {
    FrameHeader header;
    uint8_t data[16 * 300] = {};
  } reply;
  reply.header.type = static_cast<uint16_t>(FrameType::kReply);
  reply.header.id = request.id;
  reply.header.data_size = sizeof(reply.data);
  reply.header.object_count = 0;
  reply.header.fd_count = 300;
  std::vector<int> first(fds.begin(), fds.begin() + 250);
  std::vector<int> second(fds.begin() + 250, fds.end());
  ASSERT_TRUE(SendRaw(raw_, &reply, sizeof(FrameHeader) + 16, first));
  SendRaw(raw_, reply.data + 16, sizeof(reply.data) - 16, second);  // may fail: already closed
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  ExpectRequestFailsAndConnectionCloses(result);
  EXPECT_TRUE(WaitFor([&] { return OpenFdCount() <= before; })) << OpenFdCount() << " > " << before;
}

TEST_F(HostilePeerTest, FdCountDisagreeingWithHeaderCloses) {
  Handshake();
  FrameHeader request;
  std::future<int> result = StartRequest(&request);
  FrameHeader reply;
  reply.type = static_cast<uint16_t>(FrameType::kReply);
  reply.id = request.id;  // fd_count 0, but one fd attached
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  ASSERT_TRUE(SendRaw(raw_, &reply, sizeof(reply), {pipe_fds[0]}));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  ExpectRequestFailsAndConnectionCloses(result);
}

TEST_F(HostilePeerTest, OutOfRangeStatusBecomesInnerErrorAndKeepsConnection) {
  Handshake();
  for (uint32_t status : {1900999u, 12345u, 0xffffffffu}) {
    FrameHeader request;
    std::future<int> result = StartRequest(&request);
    FrameHeader reply;
    reply.type = static_cast<uint16_t>(FrameType::kReply);
    reply.id = request.id;
    reply.code = status;
    ASSERT_TRUE(SendHeader(raw_, reply));
    ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(result.get(), OH_IPC_INNER_ERROR) << status;
  }
  FrameHeader request;
  std::future<int> result = StartRequest(&request);
  FrameHeader reply;
  reply.type = static_cast<uint16_t>(FrameType::kReply);
  reply.id = request.id;
  reply.code = 1909123;  // a user code passes through
  ASSERT_TRUE(SendHeader(raw_, reply));
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(result.get(), 1909123);
  EXPECT_EQ(ncp_ipc_connection_is_dead(connection_), 0);
}

TEST_F(HostilePeerTest, RandomBytesNeverCrash) {
  Handshake();
  uint32_t seed = 12345;
  for (int i = 0; i < 200 && ncp_ipc_connection_is_dead(connection_) == 0; ++i) {
    std::vector<uint8_t> bytes(1 + (i * 37) % 300);
    for (auto& byte : bytes) {
      seed = seed * 1103515245 + 12345;
      byte = static_cast<uint8_t>(seed >> 16);
    }
    if (bytes.size() >= sizeof(FrameHeader) && i % 2 == 0) {
      FrameHeader header;
      std::memcpy(&header, bytes.data(), sizeof(header));
      header.magic = ncp::ipc::kWireMagic;
      header.version = ncp::ipc::kWireVersion;
      std::memcpy(bytes.data(), &header, sizeof(header));
    }
    SendRaw(raw_, bytes.data(), bytes.size());
  }
  EXPECT_TRUE(ClosedByLibrary());
}

}  // namespace
