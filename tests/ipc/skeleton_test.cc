// Cases of OpenHarmony's ipc_capi_skeleton_unittest (ohos-api.md §10.3), written anew. Outside a
// request every identity is this process's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "IPCKit/ipc_kit.h"

namespace {

void* MallocAllocator(int32_t len) { return std::malloc(static_cast<size_t>(len)); }
void* FailingAllocator(int32_t) { return nullptr; }

TEST(IpcSkeleton, TokenIds) {
  EXPECT_EQ(OH_IPCSkeleton_GetFirstTokenId(), 0u);
  EXPECT_GT(OH_IPCSkeleton_GetSelfTokenId(), 0u);
  EXPECT_EQ(OH_IPCSkeleton_GetCallingTokenId(), OH_IPCSkeleton_GetSelfTokenId());
}

TEST(IpcSkeleton, IdentityOutsideARequestIsOurs) {
  EXPECT_NE(OH_IPCSkeleton_GetCallingPid(), 0u);
  EXPECT_EQ(OH_IPCSkeleton_GetCallingPid(), static_cast<uint64_t>(::getpid()));
  EXPECT_EQ(OH_IPCSkeleton_GetCallingUid(), static_cast<uint64_t>(::getuid()));
  EXPECT_EQ(OH_IPCSkeleton_IsLocalCalling(), 1);
  EXPECT_EQ(OH_IPCSkeleton_IsHandlingTransaction(), 0);
}

TEST(IpcSkeleton, SetMaxWorkThreadNum) {
  EXPECT_EQ(OH_IPCSkeleton_SetMaxWorkThreadNum(4), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCSkeleton_SetMaxWorkThreadNum(-1), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCSkeleton_SetMaxWorkThreadNum(0), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCSkeleton_SetMaxWorkThreadNum(33), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCSkeleton_SetMaxWorkThreadNum(1), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCSkeleton_SetMaxWorkThreadNum(32), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCSkeleton_SetMaxWorkThreadNum(16), OH_IPC_SUCCESS);  // back to the default
}

TEST(IpcSkeleton, ResetAndSetCallingIdentity) {
  char* identity = nullptr;
  int32_t len = 0;
  EXPECT_EQ(OH_IPCSkeleton_ResetCallingIdentity(nullptr, &len, MallocAllocator),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCSkeleton_ResetCallingIdentity(&identity, nullptr, MallocAllocator),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCSkeleton_ResetCallingIdentity(&identity, &len, nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCSkeleton_ResetCallingIdentity(&identity, &len, FailingAllocator),
            OH_IPC_MEM_ALLOCATOR_ERROR);
  ASSERT_EQ(OH_IPCSkeleton_ResetCallingIdentity(&identity, &len, MallocAllocator), OH_IPC_SUCCESS);
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(len, static_cast<int32_t>(std::strlen(identity) + 1));
  EXPECT_NE(OH_IPCSkeleton_SetCallingIdentity(nullptr), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCSkeleton_SetCallingIdentity(nullptr), OH_IPC_CHECK_PARAM_ERROR);
  // Outside a transaction any text succeeds and changes nothing (conformance_test.cc).
  EXPECT_EQ(OH_IPCSkeleton_SetCallingIdentity("not an identity"), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCSkeleton_SetCallingIdentity(identity), OH_IPC_SUCCESS);
  std::free(identity);
}

}  // namespace
