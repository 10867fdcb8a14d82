// OpenHarmony's IPC C API module tests (ohos-api.md §10.3, IpcCApiRemoteObjectModuleTest) with
// their "test server" being what it is on OpenHarmony's child-process channel: an IPC-type child
// started by OH_Ability_CreateNativeChildProcess. tests/ipc runs the same API against a bare
// peer process; these prove it over the Create path. Also the isolated Create.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>

#include "core/child_test_support.h"
#include "create_support.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

class CreateIpcModule : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_TRUE(WaitUntilNoChildren()); }
};

struct Parcels {
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  ~Parcels() {
    OH_IPCParcel_Destroy(data);
    OH_IPCParcel_Destroy(reply);
  }
};

void* Allocate(int32_t len) { return malloc(static_cast<size_t>(len)); }

TEST_F(CreateIpcModule, RemoteProxy_Destroy_001) {
  ASSERT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted), NCP_NO_ERROR);
  Started started = NextStarted();
  ASSERT_EQ(started.code, NCP_NO_ERROR);
  ASSERT_NE(started.proxy, nullptr);
  // The only proxy goes: the connection closes, and the child (blocked in MainProc) stays alive
  // until asked otherwise; here it is killed via its pid.
  int32_t pid = 0;
  ASSERT_EQ(Call(started.proxy, NCP_IPC_CHILD_GET_PID, {}, &pid), OH_IPC_SUCCESS);
  OH_IPCRemoteProxy_Destroy(started.proxy);
  OH_IPCRemoteProxy_Destroy(nullptr);  // accepted
  EXPECT_EQ(OH_Ability_KillChildProcess(pid), NCP_NO_ERROR);
}

TEST_F(CreateIpcModule, SendRequestSync_001) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  Parcels p;
  EXPECT_EQ(
      OH_IPCRemoteProxy_SendRequest(nullptr, NCP_IPC_CHILD_NEW_STUB, p.data, p.reply, nullptr),
      OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_NEW_STUB, nullptr, p.reply,
                                          nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_NEW_STUB, p.data, nullptr,
                                          nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_NEW_STUB, p.data, p.reply,
                                          nullptr),
            OH_IPC_SUCCESS);
  OHIPCRemoteProxy* object = OH_IPCParcel_ReadRemoteProxy(p.reply);
  ASSERT_NE(object, nullptr);
  int32_t answer = 0;
  EXPECT_EQ(Call(object, 1, {}, &answer), OH_IPC_SUCCESS);
  EXPECT_EQ(answer, 4242);
  OH_IPCRemoteProxy_Destroy(object);
}

TEST_F(CreateIpcModule, SendRequestAsync_001) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  OH_IPC_MessageOption one_way{OH_IPC_REQUEST_MODE_ASYNC, 0, nullptr};
  for (int32_t value : {1, 20, 300}) {
    Parcels p;
    OH_IPCParcel_WriteInt32(p.data, value);
    EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_RECORD, p.data, nullptr,
                                            &one_way),
              OH_IPC_SUCCESS);
  }
  int32_t sum = 0;
  EXPECT_TRUE(WaitFor([&] {
    EXPECT_EQ(Call(child.proxy(), NCP_IPC_CHILD_GET_RECORDED, {}, &sum), OH_IPC_SUCCESS);
    return sum == 321;
  }));
}

TEST_F(CreateIpcModule, RemoteProxy_AddDeathRecipient_001) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  DeathCounter extra;
  EXPECT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(child.proxy(), extra.recipient()), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_Ability_KillChildProcess(child.pid()), NCP_NO_ERROR);
  EXPECT_TRUE(WaitFor([&] { return extra.count() == 1 && child.deaths() == 1; }));
}

TEST_F(CreateIpcModule, RemoteProxy_RemoveDeathRecipient_001) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  DeathCounter removed;
  ASSERT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(child.proxy(), removed.recipient()),
            OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(child.proxy(), removed.recipient()),
            OH_IPC_SUCCESS);
  ASSERT_EQ(OH_Ability_KillChildProcess(child.pid()), NCP_NO_ERROR);
  // The child's own recipient (still added) proves the death has been delivered.
  ASSERT_TRUE(WaitFor([&] { return child.deaths() == 1; }));
  EXPECT_EQ(removed.count(), 0);
}

TEST_F(CreateIpcModule, IsRemoteDead_001) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(child.proxy()), 0);
  ASSERT_EQ(OH_Ability_KillChildProcess(child.pid()), NCP_NO_ERROR);
  EXPECT_TRUE(WaitFor([&] { return OH_IPCRemoteProxy_IsRemoteDead(child.proxy()) == 1; }));
}

TEST_F(CreateIpcModule, GetInterfaceDescriptor_001) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  char* descriptor = nullptr;
  int32_t len = 0;
  ASSERT_EQ(OH_IPCRemoteProxy_GetInterfaceDescriptor(child.proxy(), &descriptor, &len, Allocate),
            OH_IPC_SUCCESS);
  EXPECT_STREQ(descriptor, NCP_IPC_CHILD_DESCRIPTOR);
  EXPECT_EQ(len, static_cast<int32_t>(strlen(NCP_IPC_CHILD_DESCRIPTOR) + 1));
  free(descriptor);
}

int ParentStubRequest(uint32_t code, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  int32_t value = 0;
  if (code != NCP_IPC_CHILD_ECHO_INT || OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) {
    return OH_IPC_INVALID_USER_ERROR_CODE;
  }
  return OH_IPCParcel_WriteInt32(reply, value * 10);
}

// §9: the parent passes its own stub to the child (WriteRemoteStub), the child reads it as a
// proxy, calls it, and can hand it back (it resolves to the parent's stub again).
TEST_F(CreateIpcModule, OH_IPCParcel_TestReadWriteRemoteProxy_001) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  OHIPCRemoteStub* stub =
      OH_IPCRemoteStub_Create("ncp.test.ParentStub", ParentStubRequest, nullptr, nullptr);
  ASSERT_NE(stub, nullptr);
  {
    Parcels p;
    ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(p.data, stub), OH_IPC_SUCCESS);
    OH_IPCParcel_WriteInt32(p.data, 6);
    ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_CALL_BACK, p.data, p.reply,
                                            nullptr),
              OH_IPC_SUCCESS);
    int32_t result = -1;
    int32_t echoed = -1;
    ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &result), OH_IPC_SUCCESS);
    ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &echoed), OH_IPC_SUCCESS);
    EXPECT_EQ(result, OH_IPC_SUCCESS);
    EXPECT_EQ(echoed, 70);  // the child sent 6 + 1, the parent's stub multiplied by 10
  }
  {
    Parcels p;
    ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(p.data, stub), OH_IPC_SUCCESS);
    ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_RETURN_OBJECT, p.data,
                                            p.reply, nullptr),
              OH_IPC_SUCCESS);
    OHIPCRemoteProxy* back = OH_IPCParcel_ReadRemoteProxy(p.reply);
    ASSERT_NE(back, nullptr);
    int32_t value = 0;
    EXPECT_EQ(Call(back, NCP_IPC_CHILD_ECHO_INT, {3}, &value), OH_IPC_SUCCESS);
    EXPECT_EQ(value, 30);
    OH_IPCRemoteProxy_Destroy(back);
  }
  OH_IPCRemoteStub_Destroy(stub);
}

// Isolated Create: the child runs inside ncp-launch's sandbox (default profile), its IPC socket
// passed through; the library is found by its bare name as in normal mode.
TEST_F(CreateIpcModule, IsolatedCreateRoundTrip) {
  NCP_REQUIRE_USERNS();
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  ASSERT_EQ(OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED),
            NCP_NO_ERROR);
  const int rc =
      OH_Ability_CreateNativeChildProcessWithConfigs(kIpcChildLib, configs, CollectStarted);
  OH_Ability_DestroyChildProcessConfigs(configs);
  ASSERT_EQ(rc, NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  Started started = NextStarted();
  ASSERT_EQ(started.code, NCP_NO_ERROR);
  IpcChild child(started.proxy);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child.Add(123, 456), 579);
  EXPECT_TRUE(child.ExitAndWait());
}

}  // namespace
}  // namespace ncp::testing
