// Remote-object cases of OpenHarmony's IpcCApiRemoteObjectUnitTest and the mock-based
// ipc_cremote_object_unittest (ohos-api.md §10.3), written anew, against local stubs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "IPCKit/ipc_kit.h"

namespace {

void* MallocAllocator(int32_t len) { return std::malloc(static_cast<size_t>(len)); }
void* FailingAllocator(int32_t) { return nullptr; }

int ReturnCodeFromData(uint32_t, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  int32_t value = 0;
  OH_IPCParcel_ReadInt32(data, &value);
  OH_IPCParcel_WriteInt32(reply, 77);
  return value;
}

int g_destroyed = 0;
void CountDestroy(void*) { ++g_destroyed; }
void IgnoreDeath(void*) {}

// A proxy wrapper for a local stub: what ReadRemoteProxy gives for a stub of this process.
OHIPCRemoteProxy* LocalProxy(OHIPCRemoteStub* stub) {
  OHIPCParcel* parcel = OH_IPCParcel_Create();
  OH_IPCParcel_WriteRemoteStub(parcel, stub);
  OHIPCRemoteProxy* proxy = OH_IPCParcel_ReadRemoteProxy(parcel);
  OH_IPCParcel_Destroy(parcel);
  return proxy;
}

TEST(IpcRemoteObject, StubCreateChecksArguments) {
  EXPECT_EQ(OH_IPCRemoteStub_Create(nullptr, ReturnCodeFromData, nullptr, nullptr), nullptr);
  EXPECT_EQ(OH_IPCRemoteStub_Create("desc", nullptr, nullptr, nullptr), nullptr);
  EXPECT_EQ(OH_IPCRemoteStub_Create("", ReturnCodeFromData, nullptr, nullptr), nullptr);
  EXPECT_EQ(OH_IPCRemoteStub_Create("\xc3\x28", ReturnCodeFromData, nullptr, nullptr), nullptr);
  std::string too_long(204801, 'd');
  EXPECT_EQ(OH_IPCRemoteStub_Create(too_long.c_str(), ReturnCodeFromData, nullptr, nullptr),
            nullptr);
  std::string longest(204800, 'd');
  OHIPCRemoteStub* big =
      OH_IPCRemoteStub_Create(longest.c_str(), ReturnCodeFromData, nullptr, nullptr);
  EXPECT_NE(big, nullptr);
  OH_IPCRemoteStub_Destroy(big);
  int user_data = 0;
  OHIPCRemoteStub* no_destroy =
      OH_IPCRemoteStub_Create("desc", ReturnCodeFromData, nullptr, &user_data);
  EXPECT_NE(no_destroy, nullptr);
  OHIPCRemoteStub* no_user_data =
      OH_IPCRemoteStub_Create("desc", ReturnCodeFromData, CountDestroy, nullptr);
  EXPECT_NE(no_user_data, nullptr);
  OH_IPCRemoteStub_Destroy(no_destroy);
  OH_IPCRemoteStub_Destroy(no_user_data);
  OH_IPCRemoteStub_Destroy(nullptr);
}

TEST(IpcRemoteObject, StubDestroyRunsDestroyCallback) {
  g_destroyed = 0;
  OHIPCRemoteStub* stub =
      OH_IPCRemoteStub_Create("desc", ReturnCodeFromData, CountDestroy, nullptr);
  ASSERT_NE(stub, nullptr);
  EXPECT_EQ(g_destroyed, 0);
  OH_IPCRemoteStub_Destroy(stub);
  EXPECT_EQ(g_destroyed, 1);
}

TEST(IpcRemoteObject, DeathRecipientCreateAndDestroy) {
  EXPECT_EQ(OH_IPCDeathRecipient_Create(nullptr, CountDestroy, nullptr), nullptr);
  g_destroyed = 0;
  OHIPCDeathRecipient* recipient = OH_IPCDeathRecipient_Create(IgnoreDeath, CountDestroy, nullptr);
  ASSERT_NE(recipient, nullptr);
  OH_IPCDeathRecipient_Destroy(recipient);
  EXPECT_EQ(g_destroyed, 1);
  OHIPCDeathRecipient* plain = OH_IPCDeathRecipient_Create(IgnoreDeath, nullptr, nullptr);
  ASSERT_NE(plain, nullptr);
  OH_IPCDeathRecipient_Destroy(plain);
  OH_IPCDeathRecipient_Destroy(nullptr);
}

TEST(IpcRemoteObject, SendRequestChecksInOpenHarmonyOrder) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("desc", ReturnCodeFromData, nullptr, nullptr);
  OHIPCRemoteProxy* proxy = LocalProxy(stub);
  ASSERT_NE(proxy, nullptr);
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  OH_IPC_MessageOption sync = {OH_IPC_REQUEST_MODE_SYNC, 0, nullptr};
  OH_IPC_MessageOption async = {OH_IPC_REQUEST_MODE_ASYNC, 0, nullptr};
  int dummy = 0;
  OH_IPC_MessageOption reserved = {OH_IPC_REQUEST_MODE_SYNC, 0, &dummy};

  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(nullptr, 1, data, reply, &sync),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 1, nullptr, reply, &sync),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 1, data, reply, &reserved),
            OH_IPC_CHECK_PARAM_ERROR);
  // Parameter errors come before the code check.
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 0, data, reply, &reserved),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 0, data, reply, &sync), OH_IPC_CODE_OUT_OF_RANGE);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 0x01000000, data, reply, &sync),
            OH_IPC_CODE_OUT_OF_RANGE);
  // The code check comes before the reply check.
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 0, data, nullptr, &sync),
            OH_IPC_CODE_OUT_OF_RANGE);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 1, data, nullptr, &sync),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 1, data, nullptr, nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  // A mode that is not ASYNC is SYNC.
  OH_IPC_MessageOption odd = {static_cast<OH_IPC_RequestMode>(7), 0, nullptr};
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 1, data, nullptr, &odd), OH_IPC_CHECK_PARAM_ERROR);
  // ASYNC needs no reply, and its callback result is not delivered.
  OH_IPCParcel_WriteInt32(data, 1909005);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 1, data, nullptr, &async), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 0x00ffffff, data, reply, &sync), 1909005);
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
  OH_IPCRemoteProxy_Destroy(proxy);
  OH_IPCRemoteStub_Destroy(stub);
}

int CallWithResult(OHIPCRemoteProxy* proxy, int32_t result) {
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  OH_IPCParcel_WriteInt32(data, result);
  int got = OH_IPCRemoteProxy_SendRequest(proxy, 1, data, reply, nullptr);
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
  return got;
}

TEST(IpcRemoteObject, StubResultMapping) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("desc", ReturnCodeFromData, nullptr, nullptr);
  OHIPCRemoteProxy* proxy = LocalProxy(stub);
  for (int passes : {0, 1901000, 1901001, 1901007, 1909000, 1909999}) {
    EXPECT_EQ(CallWithResult(proxy, passes), passes);
  }
  for (int replaced : {-1, 1, 1900999, 1901008, 1908999, 1910000}) {
    EXPECT_EQ(CallWithResult(proxy, replaced), OH_IPC_INVALID_USER_ERROR_CODE) << replaced;
  }
  OH_IPCRemoteProxy_Destroy(proxy);
  OH_IPCRemoteStub_Destroy(stub);
}

std::thread::id g_callback_thread;
int g_handling = -1;
uint64_t g_local_pid = 0;
int RecordThread(uint32_t, const OHIPCParcel*, OHIPCParcel*, void*) {
  g_callback_thread = std::this_thread::get_id();
  g_handling = OH_IPCSkeleton_IsHandlingTransaction();
  g_local_pid = OH_IPCSkeleton_GetCallingPid();
  return OH_IPC_SUCCESS;
}

TEST(IpcRemoteObject, LocalProxyCallsStubOnCallingThread) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("local", RecordThread, nullptr, nullptr);
  OHIPCRemoteProxy* proxy = LocalProxy(stub);
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(proxy, 3, data, reply, nullptr), OH_IPC_SUCCESS);
  EXPECT_EQ(g_callback_thread, std::this_thread::get_id());
  EXPECT_EQ(g_handling, 1);
  EXPECT_EQ(g_local_pid, static_cast<uint64_t>(::getpid()));
  EXPECT_EQ(OH_IPCSkeleton_IsHandlingTransaction(), 0);
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
  OH_IPCRemoteProxy_Destroy(proxy);
  OH_IPCRemoteStub_Destroy(stub);
}

TEST(IpcRemoteObject, GetInterfaceDescriptorOfLocalObject) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("ncp.Local", RecordThread, nullptr, nullptr);
  OHIPCRemoteProxy* proxy = LocalProxy(stub);
  char* descriptor = nullptr;
  int32_t len = 0;
  EXPECT_EQ(OH_IPCRemoteProxy_GetInterfaceDescriptor(nullptr, &descriptor, &len, MallocAllocator),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_GetInterfaceDescriptor(proxy, nullptr, &len, MallocAllocator),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_GetInterfaceDescriptor(proxy, &descriptor, nullptr, MallocAllocator),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_GetInterfaceDescriptor(proxy, &descriptor, &len, nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_GetInterfaceDescriptor(proxy, &descriptor, &len, FailingAllocator),
            OH_IPC_MEM_ALLOCATOR_ERROR);
  ASSERT_EQ(OH_IPCRemoteProxy_GetInterfaceDescriptor(proxy, &descriptor, &len, MallocAllocator),
            OH_IPC_SUCCESS);
  EXPECT_STREQ(descriptor, "ncp.Local");
  EXPECT_EQ(len, static_cast<int32_t>(std::strlen(descriptor) + 1));
  std::free(descriptor);
  OH_IPCRemoteProxy_Destroy(proxy);
  OH_IPCRemoteStub_Destroy(stub);
}

TEST(IpcRemoteObject, DeathRecipientArgumentsAndLocalObjects) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("desc", RecordThread, nullptr, nullptr);
  OHIPCRemoteProxy* proxy = LocalProxy(stub);
  OHIPCDeathRecipient* recipient = OH_IPCDeathRecipient_Create(IgnoreDeath, nullptr, nullptr);
  EXPECT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(nullptr, recipient), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(proxy, nullptr), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(nullptr, recipient), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(proxy, nullptr), OH_IPC_CHECK_PARAM_ERROR);
  // A local object refuses recipients (the inner call fails): INNER_ERROR.
  EXPECT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(proxy, recipient), OH_IPC_INNER_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(nullptr), 1);
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(proxy), 0);
  OH_IPCDeathRecipient_Destroy(recipient);
  OH_IPCRemoteProxy_Destroy(proxy);
  OH_IPCRemoteStub_Destroy(stub);
  OH_IPCRemoteProxy_Destroy(nullptr);
}

TEST(IpcRemoteObject, ReadRemoteStubRefusesNonObjects) {
  OHIPCParcel* parcel = OH_IPCParcel_Create();
  EXPECT_EQ(OH_IPCParcel_ReadRemoteStub(nullptr), nullptr);
  EXPECT_EQ(OH_IPCParcel_ReadRemoteProxy(nullptr), nullptr);
  EXPECT_EQ(OH_IPCParcel_WriteRemoteProxy(parcel, nullptr), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_WriteRemoteProxy(nullptr, nullptr), OH_IPC_CHECK_PARAM_ERROR);
  for (int i = 0; i < 4; ++i) OH_IPCParcel_WriteInt32(parcel, 0);
  EXPECT_EQ(OH_IPCParcel_ReadRemoteStub(parcel), nullptr);
  EXPECT_EQ(OH_IPCParcel_ReadRemoteProxy(parcel), nullptr);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel), 0);
  OH_IPCParcel_Destroy(parcel);
}

}  // namespace
