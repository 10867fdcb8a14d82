// IPC-type children end to end: the started-callback's codes and thread, the round trip, the
// child's life (MainProc on its main thread, exit when it returns, proxy death), what the child
// can't do, concurrency on one proxy, fds both ways, and nothing leaked afterwards.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/child_test_support.h"
#include "create_support.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

class CreateChild : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(StartedQueued(), 0); }
  void TearDown() override {
    EXPECT_TRUE(WaitUntilNoChildren());
    EXPECT_EQ(StartedQueued(), 0);
  }
};

Started CreateAndWait(const char* lib) {
  const int rc = OH_Ability_CreateNativeChildProcess(lib, CollectStarted);
  if (rc != NCP_NO_ERROR) {
    ADD_FAILURE() << "Create(" << lib << ") = " << rc << ": " << NCP_GetLastErrorMessage();
    return {};
  }
  return NextStarted();
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

TEST_F(CreateChild, NativeStartChildProcess_0100_AddExitStartAgain) {
  {
    IpcChild child;
    ASSERT_TRUE(child.ok());
    EXPECT_EQ(child.Add(123, 456), 579);
    EXPECT_TRUE(child.ExitAndWait());
  }
  IpcChild again;
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.Add(-5, 5), 0);
  EXPECT_TRUE(again.ExitAndWait());
}

TEST_F(CreateChild, NativeChildProcessWithConfigs_1600_NamedChild) {
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  ASSERT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(configs, "abc_123"), NCP_NO_ERROR);
  IpcChild child(kIpcChildLib, configs);
  OH_Ability_DestroyChildProcessConfigs(configs);  // copied by the call
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child.Add(123, 456), 579);
  const std::string expected = std::string(program_invocation_short_name) + ":abc_123";
  EXPECT_EQ(ProcessName(child.pid()), expected.substr(0, 15));
  EXPECT_TRUE(child.ExitAndWait());
}

TEST_F(CreateChild, CallbackRunsOnceAndNotOnTheCallersThread) {
  const int before = StartedCount();
  ASSERT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted), NCP_NO_ERROR);
  Started started = NextStarted();
  ASSERT_EQ(started.code, NCP_NO_ERROR);
  ASSERT_NE(started.proxy, nullptr);
  EXPECT_NE(started.thread, std::this_thread::get_id());
  {
    IpcChild child(started.proxy);
    EXPECT_EQ(child.Add(1, 2), 3);
    EXPECT_TRUE(child.ExitAndWait());
  }
  // The child is gone and reaped: nothing is left that could call back a second time.
  ASSERT_TRUE(WaitUntilNoChildren());
  EXPECT_EQ(StartedCount(), before + 1);
}

std::atomic<int> g_nested_create_rc{-1};

// Creates another child from inside the started-callback, then hands its own result on.
void CreateAgainThenCollect(int code, OHIPCRemoteProxy* proxy) {
  g_nested_create_rc = OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted);
  CollectStarted(code, proxy);
}

// The callback thread is the library's, but a callback may start children from it: the nested
// call's callback runs after the outer one has returned, on the same thread.
TEST_F(CreateChild, CreateFromInsideAStartedCallback) {
  ASSERT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CreateAgainThenCollect),
            NCP_NO_ERROR);
  Started outer = NextStarted();
  Started inner = NextStarted();
  EXPECT_EQ(g_nested_create_rc, NCP_NO_ERROR);
  EXPECT_EQ(outer.code, NCP_NO_ERROR);
  EXPECT_EQ(inner.code, NCP_NO_ERROR);
  EXPECT_EQ(outer.thread, inner.thread);
  IpcChild first(outer.proxy);
  IpcChild second(inner.proxy);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.Add(1, 2), 3);
  EXPECT_EQ(second.Add(3, 4), 7);
}

TEST_F(CreateChild, NativeStartChildProcess_0400_FakeLibrary) {
  Started started = CreateAndWait("fake.so");
  EXPECT_EQ(started.code, NCP_ERR_LIB_LOADING_FAILED);
  EXPECT_EQ(started.proxy, nullptr);
  EXPECT_NE(started.thread, std::this_thread::get_id());
}

TEST_F(CreateChild, NativeStartChildProcess_0900_AbsolutePathThatIsNotThere) {
  Started started = CreateAndWait("/data/storage/el1/bundle/libs/arm64/libentry.so");
  EXPECT_EQ(started.code, NCP_ERR_LIB_LOADING_FAILED);
  EXPECT_EQ(started.proxy, nullptr);
}

// DESIGN.md: unlike OpenHarmony, an absolute path that exists works.
TEST_F(CreateChild, AbsolutePathThatExistsWorks) {
  const std::string path = std::string(NCP_TEST_LIB_DIR) + "/" + kIpcChildLib;
  IpcChild child(path.c_str());
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child.Add(2, 2), 4);
}

TEST_F(CreateChild, LibraryWithoutEitherSymbolFailsToLoad) {
  Started started = CreateAndWait(kArgsEntriesLib);
  EXPECT_EQ(started.code, NCP_ERR_LIB_LOADING_FAILED);
  EXPECT_EQ(started.proxy, nullptr);
}

TEST_F(CreateChild, MissingMainProcFailsToLoadAndOnConnectNeverRuns) {
  TempDir markers;
  setenv("NCP_TEST_MARKER_DIR", markers.path().c_str(), 1);
  Started started = CreateAndWait(kNoMainLib);
  unsetenv("NCP_TEST_MARKER_DIR");
  EXPECT_EQ(started.code, NCP_ERR_LIB_LOADING_FAILED);
  EXPECT_EQ(started.proxy, nullptr);
  ASSERT_TRUE(WaitUntilNoChildren());
  EXPECT_FALSE(FileExists(markers.path() + "/OnConnect"));
}

TEST_F(CreateChild, NativeStartChildProcess_0700_NullStub) {
  TempDir markers;
  setenv("NCP_TEST_MARKER_DIR", markers.path().c_str(), 1);
  Started started = CreateAndWait(kNullStubLib);
  unsetenv("NCP_TEST_MARKER_DIR");
  EXPECT_EQ(started.code, NCP_ERR_CONNECTION_FAILED);
  EXPECT_EQ(started.proxy, nullptr);
  ASSERT_TRUE(WaitUntilNoChildren());
  EXPECT_TRUE(FileExists(markers.path() + "/OnConnect"));
  EXPECT_FALSE(FileExists(markers.path() + "/MainProc"));  // OpenHarmony: MainProc is not called
}

TEST_F(CreateChild, NativeStartChildProcess_0600_ChildCannotCreate) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  int32_t result = -1;
  ASSERT_EQ(Call(child.proxy(), NCP_IPC_CHILD_CREATE, {}, &result), OH_IPC_SUCCESS);
  EXPECT_EQ(result, NCP_ERR_ALREADY_IN_CHILD);
  EXPECT_TRUE(child.ExitAndWait());
}

// OpenHarmony's libbusytest: a child slow in OnConnect does not hold up the next Create.
TEST_F(CreateChild, NativeStartChildProcess_1000_SlowOnConnectDoesNotBlockTheNext) {
  setenv("NCP_TEST_ONCONNECT_SLEEP_MS", "200", 1);
  ASSERT_EQ(OH_Ability_CreateNativeChildProcess(kNullStubLib, CollectStarted), NCP_NO_ERROR);
  unsetenv("NCP_TEST_ONCONNECT_SLEEP_MS");
  ASSERT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, CollectStarted), NCP_NO_ERROR);
  Started first = NextStarted();
  Started second = NextStarted();
  // Either order is allowed; each call gets exactly its own outcome.
  if (first.code != NCP_NO_ERROR) std::swap(first, second);
  EXPECT_EQ(first.code, NCP_NO_ERROR);
  EXPECT_EQ(second.code, NCP_ERR_CONNECTION_FAILED);
  EXPECT_EQ(second.proxy, nullptr);
  IpcChild child(first.proxy);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child.Add(1, 1), 2);
}

TEST_F(CreateChild, MainProcReturningEndsTheChildAndKillsTheProxy) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  const pid_t pid = child.pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(child.proxy()), 0);
  ASSERT_TRUE(child.ExitAndWait());
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(child.proxy()), 1);
  int32_t sum = 0;
  EXPECT_EQ(Call(child.proxy(), NCP_IPC_CHILD_ADD, {1, 2}, &sum), OH_IPC_DEAD_REMOTE_OBJECT);
  EXPECT_TRUE(WaitFor([pid] { return !ProcessExists(pid); }));
  ASSERT_TRUE(WaitUntilNoChildren());
  EXPECT_EQ(child.deaths(), 1);  // once, even after the process is reaped
}

TEST_F(CreateChild, MainProcRunsOnTheChildsMainThreadWhileRequestsAreServed) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  const pid_t pid = child.pid();
  int32_t main_proc_tid = 0;
  int32_t handler_tid = 0;
  // The HELLO goes out before MainProc starts, so wait for it to be running.
  ASSERT_TRUE(WaitFor([&] {
    OHIPCParcel* data = OH_IPCParcel_Create();
    OHIPCParcel* reply = OH_IPCParcel_Create();
    EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_MAIN_PROC_INFO, data,
                                            reply, nullptr),
              OH_IPC_SUCCESS);
    OH_IPCParcel_ReadInt32(reply, &main_proc_tid);
    OH_IPCParcel_ReadInt32(reply, &handler_tid);
    OH_IPCParcel_Destroy(data);
    OH_IPCParcel_Destroy(reply);
    return main_proc_tid != 0;
  }));
  EXPECT_EQ(main_proc_tid, pid);  // the main thread's tid is the pid
  EXPECT_NE(handler_tid, pid);    // requests are served on IPC threads meanwhile
  EXPECT_GT(handler_tid, 0);
}

TEST_F(CreateChild, KillChildProcessWorksOnIpcChildren) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  ASSERT_EQ(OH_Ability_KillChildProcess(child.pid()), NCP_NO_ERROR);
  EXPECT_TRUE(WaitFor([&] { return child.deaths() == 1; }));
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(child.proxy()), 1);
}

// §5: exit callbacks fire for args-type children only. An args-type child started after the IPC
// child was reaped reports its exit after the IPC child's record (one ordered stream), so by then
// a callback for the IPC child would have been seen.
TEST_F(CreateChild, ExitCallbacksDoNotFireForIpcChildren) {
  ExitWatcher watcher;
  pid_t ipc_pid = 0;
  {
    IpcChild child;
    ASSERT_TRUE(child.ok());
    ipc_pid = child.pid();
    ASSERT_TRUE(child.ExitAndWait());
  }
  ASSERT_TRUE(WaitUntilNoChildren());
  int32_t args_pid = 0;
  ASSERT_EQ(StartEntry("ExitWith", "0", nullptr, &args_pid), NCP_NO_ERROR);
  watcher.Wait(args_pid);
  EXPECT_FALSE(watcher.Seen(ipc_pid));
}

void OnExitIgnored(int32_t, int32_t) {}

// XTS NativeChildProcessExit_0100: an IPC-type child's life does not disturb the registration
// of exit callbacks (registering twice is one entry).
TEST_F(CreateChild, NativeChildProcessExit_0100_RegisterAroundAnIpcChild) {
  {
    IpcChild child;
    ASSERT_TRUE(child.ok());
    EXPECT_EQ(child.Add(123, 456), 579);
    EXPECT_TRUE(child.ExitAndWait());
  }
  EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(OnExitIgnored), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(OnExitIgnored), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(OnExitIgnored), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(OnExitIgnored),
            NCP_ERR_CALLBACK_NOT_EXIST);
}

// XTS NativeChildProcessExit_0300 (_0400, which expects the callback for a crashed IPC-type
// child, contradicts OpenHarmony's implementation; see ExitCallbacksDoNotFireForIpcChildren).
TEST_F(CreateChild, NativeChildProcessExit_0300_RegisteredWhileAnIpcChildExits) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(OnExitIgnored), NCP_NO_ERROR);
  EXPECT_TRUE(child.ExitAndWait());
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(OnExitIgnored), NCP_NO_ERROR);
}

TEST_F(CreateChild, SixteenThreadsShareOneProxy) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  constexpr int kThreads = 16;
  constexpr int kRequests = 1000;
  std::atomic<int> failures{0};
  std::atomic<int> mismatches{0};
  std::atomic<int> matched{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        const int32_t value = t * 1000000 + i;
        int32_t echoed = -1;
        if (Call(child.proxy(), NCP_IPC_CHILD_ECHO_INT, {value}, &echoed) != OH_IPC_SUCCESS) {
          ++failures;
        } else if (echoed != value) {
          ++mismatches;
        } else {
          ++matched;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(matched, kThreads * kRequests);
}

TEST_F(CreateChild, FileDescriptorsBothWays) {
  // The fds of this process are counted: the warm pool's (two per prepared child, announced
  // whenever the pool refills) must not come and go meanwhile.
  ASSERT_EQ(NCP_SetWarmPool(0, 0), NCP_NO_ERROR);
  IpcChild child;
  ASSERT_TRUE(child.ok());
  Pipe to_child = MakePipe();
  ASSERT_EQ(write(to_child.write.get(), "from parent", 11), 11);
  to_child.write.reset();
  const int fds_before = CountOpenFds();
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  ASSERT_EQ(OH_IPCParcel_WriteFileDescriptor(data, to_child.read.get()), OH_IPC_SUCCESS);
  ASSERT_EQ(
      OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_FD_EXCHANGE, data, reply, nullptr),
      OH_IPC_SUCCESS);
  EXPECT_STREQ(OH_IPCParcel_ReadString(reply), "from parent");  // parent -> child in a request
  int32_t received = -1;
  ASSERT_EQ(OH_IPCParcel_ReadFileDescriptor(reply, &received), OH_IPC_SUCCESS);
  EXPECT_NE(fcntl(received, F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(ReadAll(received), "from child");  // child -> parent in a reply
  close(received);
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
  EXPECT_EQ(CountOpenFds(), fds_before);
  NCP_SetWarmPool(2, 30000);
}

TEST_F(CreateChild, ChildSeesTheParentAsCaller) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  ASSERT_EQ(
      OH_IPCRemoteProxy_SendRequest(child.proxy(), NCP_IPC_CHILD_CALLING_PID, data, reply, nullptr),
      OH_IPC_SUCCESS);
  int64_t calling = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt64(reply, &calling), OH_IPC_SUCCESS);
  EXPECT_EQ(calling, getpid());
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
}

// §9: a child that crashes while handling a synchronous request fails that request.
TEST_F(CreateChild, ChildCrashingDuringARequestFailsIt) {
  IpcChild child;
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(Call(child.proxy(), NCP_IPC_CHILD_CRASH, {}, nullptr), OH_IPC_DEAD_REMOTE_OBJECT);
  EXPECT_TRUE(WaitFor([&] { return child.deaths() == 1; }));
}

TEST_F(CreateChild, NothingLeaksOnceChildrenEnded) {
  {  // warm up: the fork server, the started-callback thread, libipc_capi's pool
    IpcChild child;
    ASSERT_TRUE(child.ok());
    EXPECT_EQ(child.Add(1, 1), 2);
  }
  ASSERT_TRUE(WaitUntilNoChildren());
  // The warm-up child's io thread (and its socket) end asynchronously after its death: the
  // baseline is taken once the counts have stopped falling.
  int fds = CountOpenFds();
  int threads = CountThreads();
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (CountOpenFds() == fds && CountThreads() == threads) break;
    fds = CountOpenFds();
    threads = CountThreads();
  }
  {
    std::vector<std::unique_ptr<IpcChild>> children;
    for (int i = 0; i < 5; ++i) children.push_back(std::make_unique<IpcChild>());
    for (auto& child : children) {
      ASSERT_TRUE(child->ok());
      EXPECT_EQ(child->Add(0, 0), 0);
    }
    EXPECT_EQ(CreateAndWait("fake.so").code, NCP_ERR_LIB_LOADING_FAILED);
    EXPECT_EQ(CreateAndWait(kNullStubLib).code, NCP_ERR_CONNECTION_FAILED);
  }
  // No zombies: the fork server has no child left (with the warm pool off while it looks;
  // once the pool is back, prepared children are the server's again).
  ASSERT_TRUE(WaitUntilNoChildren());
  // io threads end asynchronously once their connection is dead.
  EXPECT_TRUE(WaitFor([&] { return CountOpenFds() == fds && CountThreads() == threads; }))
      << "fds " << CountOpenFds() << " (was " << fds << "), threads " << CountThreads() << " (was "
      << threads << ")";
}

}  // namespace
}  // namespace ncp::testing
