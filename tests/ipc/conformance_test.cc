// IPC behaviours pinned to OpenHarmony's source (issue 10, item 5): parcel slot sizes, rewinding
// the write position, ReadRemoteStub on a proxy, death recipients never added, the descriptor
// of a dead proxy, and the skeleton's identity calls outside a transaction.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "IPCKit/ipc_kit.h"
#include "peer_process.h"
#include "test_server_protocol.h"

namespace {

using namespace ncp::ipc::testing;

void* MallocAllocator(int32_t len) { return std::malloc(static_cast<size_t>(len)); }

struct Parcel {
  OHIPCParcel* p = OH_IPCParcel_Create();
  ~Parcel() { OH_IPCParcel_Destroy(p); }
};

int Noop(uint32_t, const OHIPCParcel*, OHIPCParcel*, void*) { return OH_IPC_SUCCESS; }

// A flat_binder_object is 24 bytes on LP64; OpenHarmony's parcel stores one per fd or object.
TEST(IpcConformance, FdAndObjectSlotsAre24Bytes) {
  Parcel parcel;
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.p, 1), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteFileDescriptor(parcel.p, fd), OH_IPC_SUCCESS);
  ::close(fd);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.p), 4 + 24);
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("ipc.conformance", Noop, nullptr, nullptr);
  ASSERT_NE(stub, nullptr);
  ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(parcel.p, stub), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.p), 4 + 24 + 24);
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(parcel.p), 52);
  int32_t value = 0;
  int32_t out = -1;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(parcel.p, &value), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadFileDescriptor(parcel.p, &out), OH_IPC_SUCCESS);
  ::close(out);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.p), 28);
  OHIPCRemoteStub* again = OH_IPCParcel_ReadRemoteStub(parcel.p);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.p), 52);
  OH_IPCRemoteStub_Destroy(again);
  OH_IPCRemoteStub_Destroy(stub);
}

// c_utils Parcel::RewindWrite moves the write cursor and the data size, never the read cursor.
TEST(IpcConformance, RewindWritePositionLeavesTheReadPositionAlone) {
  Parcel parcel;
  for (int32_t i = 0; i < 30; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.p, i), OH_IPC_SUCCESS);
  int32_t value = -1;
  for (int i = 0; i < 25; ++i) ASSERT_EQ(OH_IPCParcel_ReadInt32(parcel.p, &value), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_GetReadPosition(parcel.p), 100);
  ASSERT_EQ(OH_IPCParcel_RewindWritePosition(parcel.p, 20), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.p), 100);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.p), 20);
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.p), 0);
  EXPECT_EQ(OH_IPCParcel_ReadInt32(parcel.p, &value), OH_IPC_PARCEL_READ_ERROR);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.p), 100);
  // Writing past the old read position makes the bytes from there readable again.
  for (int32_t i = 5; i < 30; ++i) {
    ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.p, i * 100), OH_IPC_SUCCESS);
  }
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.p), 120 - 100);
  ASSERT_EQ(OH_IPCParcel_ReadInt32(parcel.p, &value), OH_IPC_SUCCESS);
  EXPECT_EQ(value, 2500);
}

class IpcConformancePeer : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(peer_.ok()) << "test server did not connect: " << peer_.wait_result();
  }
  PeerProcess peer_;
};

// OpenHarmony's ReadIPCRemoteObject (ipc_cparcel.cpp) wraps whatever object the parcel holds.
TEST_F(IpcConformancePeer, ReadRemoteStubOnAProxyWrapsTheProxy) {
  Parcel parcel;
  ASSERT_EQ(OH_IPCParcel_WriteRemoteProxy(parcel.p, peer_.root()), OH_IPC_SUCCESS);
  OHIPCRemoteStub* wrapped = OH_IPCParcel_ReadRemoteStub(parcel.p);
  ASSERT_NE(wrapped, nullptr);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.p), 24);
  // Written on, it is the peer's object again.
  Parcel forward;
  ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(forward.p, wrapped), OH_IPC_SUCCESS);
  OH_IPCRemoteStub_Destroy(wrapped);
  OHIPCRemoteProxy* proxy = OH_IPCParcel_ReadRemoteProxy(forward.p);
  ASSERT_NE(proxy, nullptr);
  Parcel data;
  Parcel reply;
  ASSERT_EQ(OH_IPCParcel_WriteInt32(data.p, 31), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, kEchoInt, data.p, reply.p, nullptr),
            OH_IPC_SUCCESS);
  int32_t value = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(reply.p, &value), OH_IPC_SUCCESS);
  EXPECT_EQ(value, 31);
  OH_IPCRemoteProxy_Destroy(proxy);
}

void Ignore(void*) {}

// IPCObjectProxy::RemoveDeathRecipient returns whether it erased one.
TEST_F(IpcConformancePeer, RemovingADeathRecipientNeverAddedIsAnInnerError) {
  OHIPCDeathRecipient* added = OH_IPCDeathRecipient_Create(Ignore, nullptr, nullptr);
  OHIPCDeathRecipient* never = OH_IPCDeathRecipient_Create(Ignore, nullptr, nullptr);
  EXPECT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(peer_.root(), never), OH_IPC_INNER_ERROR);
  ASSERT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(peer_.root(), added), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(peer_.root(), never), OH_IPC_INNER_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(peer_.root(), added), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(peer_.root(), added), OH_IPC_INNER_ERROR);
  OH_IPCDeathRecipient_Destroy(added);
  OH_IPCDeathRecipient_Destroy(never);
}

std::string Descriptor(OHIPCRemoteProxy* proxy, int* result, int32_t* len) {
  char* text = nullptr;
  *len = -1;
  *result = OH_IPCRemoteProxy_GetInterfaceDescriptor(proxy, &text, len, MallocAllocator);
  std::string copy = text != nullptr ? text : "<none>";
  std::free(text);
  return copy;
}

// IPCObjectProxy::GetInterfaceDescriptor keeps the descriptor once fetched.
TEST_F(IpcConformancePeer, ADeadProxyAnswersItsCachedDescriptor) {
  int result = -1;
  int32_t len = -1;
  ASSERT_EQ(Descriptor(peer_.root(), &result, &len), kServerDescriptor);
  ASSERT_EQ(result, OH_IPC_SUCCESS);
  peer_.Kill();
  ASSERT_TRUE(WaitFor([&] { return OH_IPCRemoteProxy_IsRemoteDead(peer_.root()) == 1; }));
  EXPECT_EQ(Descriptor(peer_.root(), &result, &len), kServerDescriptor);
  EXPECT_EQ(result, OH_IPC_SUCCESS);
  EXPECT_EQ(len, static_cast<int32_t>(std::strlen(kServerDescriptor) + 1));
}

// Never fetched, the fetch fails and OpenHarmony hands over "" with success.
TEST_F(IpcConformancePeer, ADeadProxyNeverAskedAnswersAnEmptyDescriptor) {
  peer_.Kill();
  ASSERT_TRUE(WaitFor([&] { return OH_IPCRemoteProxy_IsRemoteDead(peer_.root()) == 1; }));
  int result = -1;
  int32_t len = -1;
  EXPECT_EQ(Descriptor(peer_.root(), &result, &len), "");
  EXPECT_EQ(result, OH_IPC_SUCCESS);
  EXPECT_EQ(len, 1);
}

// Outside a transaction OpenHarmony has no active invoker (ipc_skeleton.cpp): the identity
// calls answer for this process, ResetCallingIdentity gives "" and SetCallingIdentity succeeds
// without changing anything.
TEST(IpcConformance, SkeletonOutsideATransaction) {
  EXPECT_EQ(OH_IPCSkeleton_IsHandlingTransaction(), 0);
  EXPECT_EQ(OH_IPCSkeleton_GetCallingPid(), static_cast<uint64_t>(::getpid()));
  EXPECT_EQ(OH_IPCSkeleton_GetCallingUid(), static_cast<uint64_t>(::getuid()));
  EXPECT_EQ(OH_IPCSkeleton_GetCallingTokenId(), OH_IPCSkeleton_GetSelfTokenId());
  EXPECT_EQ(OH_IPCSkeleton_GetFirstTokenId(), 0u);
  EXPECT_EQ(OH_IPCSkeleton_IsLocalCalling(), 1);
  char* identity = nullptr;
  int32_t len = -1;
  ASSERT_EQ(OH_IPCSkeleton_ResetCallingIdentity(&identity, &len, MallocAllocator), OH_IPC_SUCCESS);
  ASSERT_NE(identity, nullptr);
  EXPECT_STREQ(identity, "");
  EXPECT_EQ(len, 1);
  std::free(identity);
  EXPECT_EQ(OH_IPCSkeleton_SetCallingIdentity("not an identity"), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCSkeleton_SetCallingIdentity(""), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCSkeleton_GetCallingPid(), static_cast<uint64_t>(::getpid()));
  EXPECT_EQ(OH_IPCSkeleton_IsLocalCalling(), 1);
}

// Inside one, the identity is the caller's: Reset hands it out, Set takes it back, and text
// that is not an identity is refused.
int IdentityInsideRequest(uint32_t, const OHIPCParcel*, OHIPCParcel* reply, void*) {
  char* identity = nullptr;
  int32_t len = 0;
  int reset = OH_IPCSkeleton_ResetCallingIdentity(&identity, &len, MallocAllocator);
  OH_IPCParcel_WriteInt32(reply, reset);
  OH_IPCParcel_WriteInt32(reply, identity != nullptr && identity[0] != '\0' ? 1 : 0);
  OH_IPCParcel_WriteInt32(reply, OH_IPCSkeleton_SetCallingIdentity("not an identity"));
  OH_IPCParcel_WriteInt32(reply, OH_IPCSkeleton_SetCallingIdentity(identity));
  std::free(identity);
  return OH_IPC_SUCCESS;
}

TEST(IpcConformance, SkeletonInsideATransaction) {
  OHIPCRemoteStub* stub =
      OH_IPCRemoteStub_Create("ipc.conformance.identity", IdentityInsideRequest, nullptr, nullptr);
  ASSERT_NE(stub, nullptr);
  Parcel holder;
  ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(holder.p, stub), OH_IPC_SUCCESS);
  OHIPCRemoteProxy* local = OH_IPCParcel_ReadRemoteProxy(holder.p);
  ASSERT_NE(local, nullptr);
  Parcel data;
  Parcel reply;
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(local, 1, data.p, reply.p, nullptr), OH_IPC_SUCCESS);
  int32_t reset = -1, nonempty = -1, garbage = -1, restored = -1;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(reply.p, &reset), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadInt32(reply.p, &nonempty), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadInt32(reply.p, &garbage), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadInt32(reply.p, &restored), OH_IPC_SUCCESS);
  EXPECT_EQ(reset, OH_IPC_SUCCESS);
  EXPECT_EQ(nonempty, 1);
  EXPECT_EQ(garbage, OH_IPC_INNER_ERROR);
  EXPECT_EQ(restored, OH_IPC_SUCCESS);
  OH_IPCRemoteProxy_Destroy(local);
  OH_IPCRemoteStub_Destroy(stub);
}

}  // namespace
