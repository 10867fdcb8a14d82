// The private calls the child runtime uses around MainProc (lib/ipc/ncp_ipc_private.h): a HELLO
// held back until announce, and drain, which waits for every request read to be answered.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "IPCKit/ipc_kit.h"
#include "ncp_ipc_private.h"

namespace {

int Echo(uint32_t, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  return OH_IPCParcel_Append(reply, data);
}

// A handler that tells it has started, then runs until released.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  bool released = false;
};

int HeldUntilReleased(uint32_t, const OHIPCParcel*, OHIPCParcel* reply, void* user) {
  auto* gate = static_cast<Gate*>(user);
  std::unique_lock lock(gate->mu);
  gate->started = true;
  gate->cv.notify_all();
  gate->cv.wait(lock, [gate] { return gate->released; });
  return OH_IPCParcel_WriteInt32(reply, 77);
}

struct Pair {
  ncp_ipc_connection* child = nullptr;   // offers the stub, adopted unannounced
  ncp_ipc_connection* parent = nullptr;  // offers nothing
};

Pair MakeUnannouncedPair(OHIPCRemoteStub* stub) {
  int fds[2];
  Pair pair;
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  EXPECT_EQ(ncp_ipc_connection_adopt_unannounced(fds[1], stub, &pair.child), OH_IPC_SUCCESS);
  EXPECT_EQ(ncp_ipc_connection_adopt(fds[0], nullptr, &pair.parent), OH_IPC_SUCCESS);
  return pair;
}

TEST(IpcPrivateDrain, ThePeerHearsNothingUntilAnnounceWhichWorksOnce) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("ncp.test.Announce", Echo, nullptr, nullptr);
  Pair pair = MakeUnannouncedPair(stub);
  OH_IPCRemoteStub_Destroy(stub);
  ASSERT_NE(pair.child, nullptr);
  ASSERT_NE(pair.parent, nullptr);
  EXPECT_EQ(ncp_ipc_connection_wait_peer(pair.parent, 50), OH_IPC_INNER_ERROR);  // timeout
  EXPECT_EQ(ncp_ipc_connection_peer_root(pair.parent), nullptr);
  EXPECT_EQ(ncp_ipc_connection_announce(pair.child), OH_IPC_SUCCESS);
  EXPECT_EQ(ncp_ipc_connection_announce(pair.child), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(ncp_ipc_connection_announce(nullptr), OH_IPC_CHECK_PARAM_ERROR);
  ASSERT_EQ(ncp_ipc_connection_wait_peer(pair.parent, 10000), OH_IPC_SUCCESS);
  OHIPCRemoteProxy* root = ncp_ipc_connection_peer_root(pair.parent);
  ASSERT_NE(root, nullptr);
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  OH_IPCParcel_WriteInt32(data, 5);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(root, 1, data, reply, nullptr), OH_IPC_SUCCESS);
  int32_t value = 0;
  EXPECT_EQ(OH_IPCParcel_ReadInt32(reply, &value), OH_IPC_SUCCESS);
  EXPECT_EQ(value, 5);
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
  ncp_ipc_connection_release(pair.child);
  ncp_ipc_connection_release(pair.parent);
  OH_IPCRemoteProxy_Destroy(root);
}

TEST(IpcPrivateDrain, DrainWaitsForARunningHandlerAndItsReplyArrives) {
  EXPECT_EQ(ncp_ipc_connection_drain(nullptr, 0), OH_IPC_CHECK_PARAM_ERROR);
  Gate gate;
  OHIPCRemoteStub* stub =
      OH_IPCRemoteStub_Create("ncp.test.Drain", HeldUntilReleased, nullptr, &gate);
  Pair pair = MakeUnannouncedPair(stub);
  ASSERT_NE(pair.child, nullptr);
  ASSERT_NE(pair.parent, nullptr);
  EXPECT_EQ(ncp_ipc_connection_drain(pair.child, -1), OH_IPC_CHECK_PARAM_ERROR);
  ASSERT_EQ(ncp_ipc_connection_announce(pair.child), OH_IPC_SUCCESS);
  ASSERT_EQ(ncp_ipc_connection_wait_peer(pair.parent, 10000), OH_IPC_SUCCESS);
  OHIPCRemoteProxy* root = ncp_ipc_connection_peer_root(pair.parent);
  ASSERT_NE(root, nullptr);
  // Nothing in flight: drained at once.
  EXPECT_EQ(ncp_ipc_connection_drain(pair.child, 10000), OH_IPC_SUCCESS);

  int call_result = -1;
  int32_t value = 0;
  std::thread caller([&] {
    OHIPCParcel* data = OH_IPCParcel_Create();
    OHIPCParcel* reply = OH_IPCParcel_Create();
    call_result = OH_IPCRemoteProxy_SendRequest(root, 1, data, reply, nullptr);
    OH_IPCParcel_ReadInt32(reply, &value);
    OH_IPCParcel_Destroy(data);
    OH_IPCParcel_Destroy(reply);
  });
  {
    std::unique_lock lock(gate.mu);
    gate.cv.wait(lock, [&] { return gate.started; });
  }
  // The handler cannot finish while the gate is closed: the grace runs out.
  EXPECT_EQ(ncp_ipc_connection_drain(pair.child, 50), OH_IPC_INNER_ERROR);
  {
    std::lock_guard lock(gate.mu);
    gate.released = true;
  }
  gate.cv.notify_all();
  EXPECT_EQ(ncp_ipc_connection_drain(pair.child, 10000), OH_IPC_SUCCESS);
  caller.join();
  EXPECT_EQ(call_result, OH_IPC_SUCCESS);
  EXPECT_EQ(value, 77);

  // A dead connection has nothing left to wait for.
  ncp_ipc_connection_release(pair.parent);
  OH_IPCRemoteProxy_Destroy(root);  // the child's end hangs up: its connection dies
  EXPECT_EQ(ncp_ipc_connection_drain(pair.child, 10000), OH_IPC_SUCCESS);
  ncp_ipc_connection_release(pair.child);
  OH_IPCRemoteStub_Destroy(stub);
}

}  // namespace
