// The limit of 50 live IPC-type children per process (ohos-api.md §6, XTS _0800, _1400, _1500).
#include <memory>
#include <thread>
#include <vector>

#include "create_support.h"

namespace ncp::testing {
namespace {

constexpr int kLimit = 50;

std::vector<std::unique_ptr<IpcChild>> CollectChildren(int count) {
  std::vector<std::unique_ptr<IpcChild>> children;
  for (int i = 0; i < count; ++i) {
    Started started = NextStarted();
    EXPECT_EQ(started.code, NCP_NO_ERROR);
    children.push_back(std::make_unique<IpcChild>(started.proxy));
  }
  return children;
}

TEST(CreateLimits, NativeStartChildProcess_0800_FiftyThenLimitReached) {
  for (int i = 0; i < kLimit; ++i) {
    ASSERT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted), NCP_NO_ERROR)
        << i << ": " << NCP_GetLastErrorMessage();
  }
  auto children = CollectChildren(kLimit);
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted),
            NCP_ERR_MAX_CHILD_PROCESSES_REACHED);
  // A failed call at the limit neither starts a child nor calls back.
  EXPECT_EQ(StartedQueued(), 0);
  for (auto& child : children) {
    ASSERT_TRUE(child->ok());
    EXPECT_EQ(child->Add(2, 3), 5);
  }
  for (auto& child : children) EXPECT_TRUE(child->ExitAndWait());
  children.clear();
  EXPECT_TRUE(WaitUntilNoChildren());
}

TEST(CreateLimits, NativeStartChildProcess_1500_SlotFreesWhenAChildEnds) {
  for (int i = 0; i < kLimit; ++i) {
    ASSERT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted), NCP_NO_ERROR);
  }
  auto children = CollectChildren(kLimit);
  ASSERT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted),
            NCP_ERR_MAX_CHILD_PROCESSES_REACHED);
  ASSERT_TRUE(children.front()->ExitAndWait());
  // The slot frees when the registry learns of the exit, shortly after the proxy's death; until
  // then the answer may only be 16010006.
  int rc = NCP_ERR_MAX_CHILD_PROCESSES_REACHED;
  EXPECT_TRUE(WaitFor([&] {
    rc = OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted);
    EXPECT_TRUE(rc == NCP_NO_ERROR || rc == NCP_ERR_MAX_CHILD_PROCESSES_REACHED) << rc;
    return rc != NCP_ERR_MAX_CHILD_PROCESSES_REACHED;
  }));
  ASSERT_EQ(rc, NCP_NO_ERROR);
  auto replacement = CollectChildren(1);
  EXPECT_EQ(replacement.front()->Add(40, 2), 42);
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted),
            NCP_ERR_MAX_CHILD_PROCESSES_REACHED);
  replacement.clear();
  children.clear();  // each asks its child to exit and waits for the death
  EXPECT_TRUE(WaitUntilNoChildren());
  EXPECT_EQ(StartedQueued(), 0);
}

TEST(CreateLimits, NativeStartChildProcess_1400_FiftyConcurrentCreates) {
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int i = 0; i < kLimit; ++i) {
    threads.emplace_back([&] {
      if (OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted) == NCP_NO_ERROR) {
        ++accepted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(accepted, kLimit);
  auto children = CollectChildren(kLimit);
  for (auto& child : children) {
    ASSERT_TRUE(child->ok());
    EXPECT_EQ(child->Add(1, 2), 3);
  }
  children.clear();
  EXPECT_TRUE(WaitUntilNoChildren());
}

}  // namespace
}  // namespace ncp::testing
