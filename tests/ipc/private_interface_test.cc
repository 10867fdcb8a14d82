// The private interface libchild_process.so uses (lib/ipc/ncp_ipc_private.h).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "IPCKit/ipc_kit.h"
#include "ncp_ipc_private.h"
#include "peer_process.h"

namespace {

using ncp::ipc::testing::OpenFdCount;
using ncp::ipc::testing::PeerProcess;
using ncp::ipc::testing::WaitFor;

int Echo(uint32_t, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  return OH_IPCParcel_Append(reply, data);
}

TEST(IpcPrivate, AdoptChecksItsArguments) {
  ncp_ipc_connection* connection = nullptr;
  EXPECT_EQ(ncp_ipc_connection_adopt(-1, nullptr, &connection), OH_IPC_CHECK_PARAM_ERROR);
  int before = OpenFdCount();
  int file = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(ncp_ipc_connection_adopt(file, nullptr, &connection), OH_IPC_CHECK_PARAM_ERROR);
  int stream[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stream), 0);
  EXPECT_EQ(ncp_ipc_connection_adopt(stream[0], nullptr, &connection), OH_IPC_CHECK_PARAM_ERROR);
  ::close(stream[1]);
  int seq[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, seq), 0);
  EXPECT_EQ(ncp_ipc_connection_adopt(seq[0], nullptr, nullptr), OH_IPC_CHECK_PARAM_ERROR);
  ::close(seq[1]);
  EXPECT_EQ(OpenFdCount(), before);  // adopt owns the fd even when it fails
  EXPECT_EQ(ncp_ipc_connection_wait_peer(nullptr, 0), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(ncp_ipc_connection_peer_root(nullptr), nullptr);
  EXPECT_EQ(ncp_ipc_connection_is_dead(nullptr), 1);
  ncp_ipc_connection_release(nullptr);
}

TEST(IpcPrivate, InProcessPairRootOnOneSideOnly) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("ncp.test.Pair", Echo, nullptr, nullptr);
  ncp_ipc_connection* child = nullptr;
  ncp_ipc_connection* parent = nullptr;
  ASSERT_EQ(ncp_ipc_connection_adopt(fds[1], stub, &child), OH_IPC_SUCCESS);
  OH_IPCRemoteStub_Destroy(stub);  // the connection keeps its own reference
  ASSERT_EQ(ncp_ipc_connection_adopt(fds[0], nullptr, &parent), OH_IPC_SUCCESS);
  ASSERT_EQ(ncp_ipc_connection_wait_peer(parent, 10000), OH_IPC_SUCCESS);
  ASSERT_EQ(ncp_ipc_connection_wait_peer(child, 10000), OH_IPC_SUCCESS);
  EXPECT_EQ(ncp_ipc_connection_peer_root(child), nullptr);  // the parent offered none
  OHIPCRemoteProxy* root = ncp_ipc_connection_peer_root(parent);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(ncp_ipc_connection_peer_pid(parent), ::getpid());
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  OH_IPCParcel_WriteInt32(data, 31);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(root, 1, data, reply, nullptr), OH_IPC_SUCCESS);
  int32_t value = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(reply, &value), OH_IPC_SUCCESS);
  EXPECT_EQ(value, 31);
  // Releasing the child's handle does not close: the parent still holds the root.
  ncp_ipc_connection_release(child);
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(root), 0);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(root, 1, data, reply, nullptr), OH_IPC_SUCCESS);
  // Dropping every reference closes both ends.
  ncp_ipc_connection_release(parent);
  OH_IPCRemoteProxy_Destroy(root);
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
}

TEST(IpcPrivate, WaitTimesOutWhenThePeerIsSilent) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  ncp_ipc_connection* connection = nullptr;
  ASSERT_EQ(ncp_ipc_connection_adopt(fds[0], nullptr, &connection), OH_IPC_SUCCESS);
  EXPECT_EQ(ncp_ipc_connection_wait_peer(connection, 50), OH_IPC_INNER_ERROR);
  ::close(fds[1]);
  EXPECT_EQ(ncp_ipc_connection_wait_peer(connection, 10000), OH_IPC_DEAD_REMOTE_OBJECT);
  EXPECT_EQ(ncp_ipc_connection_is_dead(connection), 1);
  ncp_ipc_connection_release(connection);
}

TEST(IpcPrivate, ChildThatDiesBeforeHelloIsReportedDead) {
  PeerProcess peer("/bin/true");
  EXPECT_EQ(peer.wait_result(), OH_IPC_DEAD_REMOTE_OBJECT);
  EXPECT_EQ(peer.root(), nullptr);
}

TEST(IpcPrivate, ChildPidComesFromItsCredentials) {
  PeerProcess peer;
  ASSERT_TRUE(peer.ok());
  EXPECT_EQ(ncp_ipc_connection_peer_pid(peer.connection()), peer.pid());
  EXPECT_NE(peer.pid(), ::getpid());
}

}  // namespace
