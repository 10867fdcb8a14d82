// Cases of OpenHarmony's IpcCApiRemoteObjectModuleTest (ohos-api.md §10.3), written anew, against
// a real peer process (ipc_test_server), plus the transport behaviour of ohos-api.md §9: death,
// object passing both ways, fds both ways, callbacks into the caller, concurrency.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "IPCKit/ipc_kit.h"
#include "peer_process.h"
#include "test_server_protocol.h"

namespace {

using namespace ncp::ipc::testing;

void* MallocAllocator(int32_t len) { return std::malloc(static_cast<size_t>(len)); }
void* FailingAllocator(int32_t) { return nullptr; }

struct Parcels {
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  ~Parcels() {
    OH_IPCParcel_Destroy(data);
    OH_IPCParcel_Destroy(reply);
  }
};

class IpcPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(peer_.ok()) << "test server did not connect: " << peer_.wait_result();
  }
  PeerProcess peer_;
};

TEST_F(IpcPeerTest, RemoteProxyDestroy) {
  OHIPCRemoteProxy* root = ncp_ipc_connection_peer_root(peer_.connection());
  ASSERT_NE(root, nullptr);
  OH_IPCRemoteProxy_Destroy(root);
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(peer_.root()), 0);  // other wrappers unaffected
}

TEST_F(IpcPeerTest, SendRequestSync) {
  Parcels p;
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(nullptr, kNewStub, p.data, p.reply, nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kNewStub, nullptr, p.reply, nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kNewStub, p.data, nullptr, nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kNewStub, p.data, p.reply, nullptr),
            OH_IPC_SUCCESS);
  OHIPCRemoteProxy* child = OH_IPCParcel_ReadRemoteProxy(p.reply);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(OH_IPCParcel_ReadRemoteStub(p.reply), nullptr);  // the object was read already
  Parcels q;
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(child, 1, q.data, q.reply, nullptr), OH_IPC_SUCCESS);
  int32_t value = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(q.reply, &value), OH_IPC_SUCCESS);
  EXPECT_EQ(value, 4242);
  char* descriptor = nullptr;
  int32_t len = 0;
  ASSERT_EQ(OH_IPCRemoteProxy_GetInterfaceDescriptor(child, &descriptor, &len, MallocAllocator),
            OH_IPC_SUCCESS);
  EXPECT_STREQ(descriptor, "ncp.test.ServerChild");
  std::free(descriptor);
  OH_IPCRemoteProxy_Destroy(child);
}

TEST_F(IpcPeerTest, EchoIntAndData) {
  Parcels p;
  ASSERT_EQ(OH_IPCParcel_WriteInt32(p.data, 123456), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kEchoInt, p.data, p.reply, nullptr),
            OH_IPC_SUCCESS);
  int32_t value = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &value), OH_IPC_SUCCESS);
  EXPECT_EQ(value, 123456);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(p.reply), 4);
}

TEST_F(IpcPeerTest, LargestParcelTravelsIntact) {
  Parcels p;
  std::vector<uint8_t> bytes(204800);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7);
  ASSERT_EQ(OH_IPCParcel_WriteBuffer(p.data, bytes.data(), 204800), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kEchoAll, p.data, p.reply, nullptr),
            OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_GetDataSize(p.reply), 204800);
  const uint8_t* back = OH_IPCParcel_ReadBuffer(p.reply, 204800);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(std::memcmp(back, bytes.data(), bytes.size()), 0);
}

TEST_F(IpcPeerTest, SendRequestAsyncIsOneWay) {
  OH_IPC_MessageOption async = {OH_IPC_REQUEST_MODE_ASYNC, 0, nullptr};
  for (int i = 1; i <= 10; ++i) {
    Parcels p;
    OH_IPCParcel_WriteInt32(p.data, i);
    // The stub's result is not delivered: kReturnCode with a user code still gives SUCCESS.
    ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kRecordAsync, p.data, nullptr, &async),
              OH_IPC_SUCCESS);
  }
  Parcels bad;
  OH_IPCParcel_WriteInt32(bad.data, 1909001);
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kReturnCode, bad.data, bad.reply, &async),
            OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(bad.reply), 0);  // the reply is never filled
  EXPECT_TRUE(WaitFor([&] {
    Parcels p;
    int32_t sum = 0;
    return OH_IPCRemoteProxy_SendRequest(peer_.root(), kGetRecorded, p.data, p.reply, nullptr) ==
               OH_IPC_SUCCESS &&
           OH_IPCParcel_ReadInt32(p.reply, &sum) == OH_IPC_SUCCESS && sum == 55;
  }));
}

TEST_F(IpcPeerTest, UserErrorCodesPassThrough) {
  for (int code : {1909000, 1909999, 1901000, 1901007}) {
    Parcels p;
    OH_IPCParcel_WriteInt32(p.data, code);
    EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kReturnCode, p.data, p.reply, nullptr),
              code);
  }
  for (int code : {1, 1900999, 1908999, 2000000}) {
    Parcels p;
    OH_IPCParcel_WriteInt32(p.data, code);
    EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kReturnCode, p.data, p.reply, nullptr),
              OH_IPC_INVALID_USER_ERROR_CODE);
  }
}

TEST_F(IpcPeerTest, GetInterfaceDescriptor) {
  char* descriptor = nullptr;
  int32_t len = 0;
  EXPECT_EQ(
      OH_IPCRemoteProxy_GetInterfaceDescriptor(peer_.root(), &descriptor, &len, FailingAllocator),
      OH_IPC_MEM_ALLOCATOR_ERROR);
  ASSERT_EQ(
      OH_IPCRemoteProxy_GetInterfaceDescriptor(peer_.root(), &descriptor, &len, MallocAllocator),
      OH_IPC_SUCCESS);
  EXPECT_STREQ(descriptor, kServerDescriptor);
  EXPECT_EQ(len, static_cast<int32_t>(std::strlen(descriptor) + 1));
  std::free(descriptor);
}

TEST_F(IpcPeerTest, CallingIdentityIsThePeer) {
  Parcels p;
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kWhoCalls, p.data, p.reply, nullptr),
            OH_IPC_SUCCESS);
  uint64_t pid = 0;
  uint64_t uid = 0;
  int32_t handling = -1;
  int32_t local = -1;
  int32_t server_pid = 0;
  ASSERT_EQ(OH_IPCParcel_ReadUint64(p.reply, &pid), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadUint64(p.reply, &uid), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &handling), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &local), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &server_pid), OH_IPC_SUCCESS);
  EXPECT_EQ(pid, static_cast<uint64_t>(::getpid()));
  EXPECT_EQ(uid, static_cast<uint64_t>(::getuid()));
  EXPECT_EQ(handling, 1);
  EXPECT_EQ(local, 0);
  EXPECT_EQ(server_pid, peer_.pid());
  EXPECT_EQ(ncp_ipc_connection_peer_pid(peer_.connection()), peer_.pid());
}

std::atomic<int> g_deaths{0};
std::atomic<int> g_recipient_destroyed{0};
void CountDeath(void*) { ++g_deaths; }
void CountRecipientDestroyed(void*) { ++g_recipient_destroyed; }

TEST_F(IpcPeerTest, DeathRecipientFiresOnceWhenPeerDies) {
  g_deaths = 0;
  g_recipient_destroyed = 0;
  OHIPCDeathRecipient* first =
      OH_IPCDeathRecipient_Create(CountDeath, CountRecipientDestroyed, nullptr);
  OHIPCDeathRecipient* second = OH_IPCDeathRecipient_Create(CountDeath, nullptr, nullptr);
  ASSERT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(peer_.root(), first), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(peer_.root(), second), OH_IPC_SUCCESS);
  OH_IPCDeathRecipient_Destroy(first);  // the proxy still holds it
  EXPECT_EQ(g_recipient_destroyed, 0);
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(peer_.root()), 0);
  peer_.Kill();
  ASSERT_TRUE(WaitFor([] { return g_deaths.load() == 2; }));
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(peer_.root()), 1);
  // The list is cleared after the notifications, on the notifying thread: it may still be
  // clearing when the last death has been counted.
  ASSERT_TRUE(WaitFor([] { return g_recipient_destroyed.load() >= 1; }));
  EXPECT_EQ(g_recipient_destroyed, 1);
  Parcels p;
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kEchoInt, p.data, p.reply, nullptr),
            OH_IPC_DEAD_REMOTE_OBJECT);
  char* descriptor = nullptr;
  int32_t len = 0;
  // Never fetched before the death: "" with success, as OpenHarmony (conformance_test.cc).
  EXPECT_EQ(
      OH_IPCRemoteProxy_GetInterfaceDescriptor(peer_.root(), &descriptor, &len, MallocAllocator),
      OH_IPC_SUCCESS);
  EXPECT_EQ(len, 1);
  std::free(descriptor);
  EXPECT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(peer_.root(), second), OH_IPC_INNER_ERROR);
  EXPECT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(peer_.root(), second), OH_IPC_INNER_ERROR);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(g_deaths, 2);  // exactly once each
  OH_IPCDeathRecipient_Destroy(second);
}

TEST_F(IpcPeerTest, RemovedDeathRecipientDoesNotFire) {
  g_deaths = 0;
  OHIPCDeathRecipient* recipient = OH_IPCDeathRecipient_Create(CountDeath, nullptr, nullptr);
  OHIPCDeathRecipient* never_added = OH_IPCDeathRecipient_Create(CountDeath, nullptr, nullptr);
  ASSERT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(peer_.root(), recipient), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(peer_.root(), recipient), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCRemoteProxy_RemoveDeathRecipient(peer_.root(), never_added), OH_IPC_INNER_ERROR);
  peer_.Kill();
  ASSERT_TRUE(WaitFor([&] { return OH_IPCRemoteProxy_IsRemoteDead(peer_.root()) == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(g_deaths, 0);
  OH_IPCDeathRecipient_Destroy(recipient);
  OH_IPCDeathRecipient_Destroy(never_added);
}

TEST_F(IpcPeerTest, PeerCrashDuringSyncRequestFailsIt) {
  Parcels p;
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kCrash, p.data, p.reply, nullptr),
            OH_IPC_DEAD_REMOTE_OBJECT);
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(peer_.root()), 1);
}

TEST_F(IpcPeerTest, ReadWriteRemoteProxy) {
  Parcels p;
  ASSERT_EQ(OH_IPCParcel_WriteRemoteProxy(p.data, peer_.root()), OH_IPC_SUCCESS);
  OHIPCRemoteProxy* again = OH_IPCParcel_ReadRemoteProxy(p.data);
  ASSERT_NE(again, nullptr);
  Parcels q;
  OH_IPCParcel_WriteInt32(q.data, 9);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(again, kEchoInt, q.data, q.reply, nullptr),
            OH_IPC_SUCCESS);
  OH_IPCRemoteProxy_Destroy(again);
}

// Our stub, as seen by the server, for the object-passing cases.
struct LocalService {
  std::atomic<int> calls{0};
  std::atomic<uint64_t> caller_pid{0};
  std::atomic<int> destroyed{0};
  std::thread::id last_thread;
};

int LocalServiceRequest(uint32_t code, const OHIPCParcel* data, OHIPCParcel* reply, void* user) {
  auto* service = static_cast<LocalService*>(user);
  ++service->calls;
  service->caller_pid = OH_IPCSkeleton_GetCallingPid();
  service->last_thread = std::this_thread::get_id();
  int32_t value = 0;
  if (code == kEchoInt && OH_IPCParcel_ReadInt32(data, &value) == OH_IPC_SUCCESS) {
    return OH_IPCParcel_WriteInt32(reply, value * 10);
  }
  return OH_IPC_SUCCESS;
}
void LocalServiceDestroyed(void* user) { ++static_cast<LocalService*>(user)->destroyed; }

TEST_F(IpcPeerTest, StubCallbackCallingBackDoesNotDeadlock) {
  LocalService service;
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("ncp.test.Parent", LocalServiceRequest,
                                                  LocalServiceDestroyed, &service);
  Parcels p;
  ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(p.data, stub), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(p.data, 4), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kCallBack, p.data, p.reply, nullptr),
            OH_IPC_SUCCESS);
  int32_t result = -1;
  int32_t echoed = -1;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &result), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &echoed), OH_IPC_SUCCESS);
  EXPECT_EQ(result, OH_IPC_SUCCESS);
  EXPECT_EQ(echoed, 50);
  EXPECT_EQ(service.calls, 1);
  EXPECT_EQ(service.caller_pid, static_cast<uint64_t>(peer_.pid()));
  OH_IPCParcel_Destroy(p.data);
  p.data = nullptr;
  OH_IPCRemoteStub_Destroy(stub);
  // The server dropped its proxy: the stub's last reference goes, once.
  EXPECT_TRUE(WaitFor([&] { return service.destroyed.load() == 1; }));
}

TEST_F(IpcPeerTest, ProxySentBackResolvesToOriginalStub) {
  LocalService service;
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("ncp.test.Parent", LocalServiceRequest,
                                                  LocalServiceDestroyed, &service);
  Parcels p;
  ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(p.data, stub), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kReturnObject, p.data, p.reply, nullptr),
            OH_IPC_SUCCESS);
  size_t at = static_cast<size_t>(OH_IPCParcel_GetReadPosition(p.reply));
  OHIPCRemoteStub* same = OH_IPCParcel_ReadRemoteStub(p.reply);
  ASSERT_NE(same, nullptr);  // came home as our own stub
  OH_IPCParcel_RewindReadPosition(p.reply, static_cast<uint32_t>(at));
  OHIPCRemoteProxy* local = OH_IPCParcel_ReadRemoteProxy(p.reply);
  ASSERT_NE(local, nullptr);
  Parcels q;
  OH_IPCParcel_WriteInt32(q.data, 3);
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(local, kEchoInt, q.data, q.reply, nullptr),
            OH_IPC_SUCCESS);
  EXPECT_EQ(service.last_thread, std::this_thread::get_id());  // called directly
  EXPECT_EQ(service.caller_pid, static_cast<uint64_t>(::getpid()));
  OH_IPCRemoteProxy_Destroy(local);
  OH_IPCRemoteStub_Destroy(same);
  OH_IPCRemoteStub_Destroy(stub);
  OH_IPCParcel_Destroy(p.data);
  OH_IPCParcel_Destroy(p.reply);
  p.data = p.reply = nullptr;
  EXPECT_TRUE(WaitFor([&] { return service.destroyed.load() == 1; }));
}

std::string ReadAll(int fd) {
  char buffer[128] = {};
  ssize_t got = ::read(fd, buffer, sizeof(buffer) - 1);
  return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : std::string();
}

TEST_F(IpcPeerTest, FileDescriptorsBothWays) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ASSERT_EQ(::write(fds[1], "from parent", 11), 11);
  ::close(fds[1]);
  int before = OpenFdCount();
  {
    Parcels p;
    ASSERT_EQ(OH_IPCParcel_WriteFileDescriptor(p.data, fds[0]), OH_IPC_SUCCESS);
    ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kFdExchange, p.data, p.reply, nullptr),
              OH_IPC_SUCCESS);
    EXPECT_STREQ(OH_IPCParcel_ReadString(p.reply), "from parent");
    int32_t received = -1;
    ASSERT_EQ(OH_IPCParcel_ReadFileDescriptor(p.reply, &received), OH_IPC_SUCCESS);
    EXPECT_NE(::fcntl(received, F_GETFD) & FD_CLOEXEC, 0);
    EXPECT_EQ(ReadAll(received), "from server");
    ::close(received);
  }
  ::close(fds[0]);
  EXPECT_EQ(OpenFdCount(), before - 1);  // nothing leaked: parcels closed their copies
}

// An fd the library receives (here, in a reply) lands above 0-2 in a process that closed them:
// the library may keep such an fd for long (a remote object's socket), and the process's own
// next opens must get 0-2 back. Runs in a forked copy of this process, which answers with a
// letter: O when the received fd is off 0-2, else why not.
TEST(IpcReceivedFds, StayOffTheStandardNumbersOfAProcessThatClosedThem) {
  int answer[2];
  ASSERT_EQ(::pipe2(answer, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    char result = 'P';  // no peer
    {
      PeerProcess peer;
      int fds[2];
      Parcels p;
      if (peer.ok() && ::pipe2(fds, O_CLOEXEC) == 0) {
        ::close(fds[1]);
        result = 'W';  // the parcel would not take the fd
        if (OH_IPCParcel_WriteFileDescriptor(p.data, fds[0]) == OH_IPC_SUCCESS) {
          ::close(fds[0]);
          for (int fd = 0; fd <= 2; ++fd) ::close(fd);
          result = 'S';  // the request failed
          if (OH_IPCRemoteProxy_SendRequest(peer.root(), kFdExchange, p.data, p.reply, nullptr) ==
              OH_IPC_SUCCESS) {
            result = 'O';
            for (int fd = 0; fd <= 2; ++fd) {
              if (::fcntl(fd, F_GETFD) != -1) result = static_cast<char>('0' + fd);
            }
          }
        }
      }
    }
    _exit(::write(answer[1], &result, 1) == 1 ? 0 : 1);
  }
  ::close(answer[1]);
  char result = '?';
  EXPECT_EQ(::read(answer[0], &result, 1), 1);
  ::close(answer[0]);
  EXPECT_EQ(result, 'O') << "0-2: the received fd took that number; P, W, S: setup failed";
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
}

TEST_F(IpcPeerTest, ManyThreadsShareOneProxy) {
  constexpr int kThreads = 16;
  constexpr int kRequests = 1000;
  std::atomic<int> mismatches{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      OHIPCParcel* data = OH_IPCParcel_Create();
      OHIPCParcel* reply = OH_IPCParcel_Create();
      for (int i = 0; i < kRequests; ++i) {
        int32_t value = t * 1000000 + i;
        OH_IPCParcel_RewindWritePosition(data, 0);
        OH_IPCParcel_WriteInt32(data, value);
        if (OH_IPCRemoteProxy_SendRequest(peer_.root(), kEchoInt, data, reply, nullptr) !=
            OH_IPC_SUCCESS) {
          ++failures;
          continue;
        }
        int32_t echoed = -1;
        if (OH_IPCParcel_ReadInt32(reply, &echoed) != OH_IPC_SUCCESS || echoed != value) {
          ++mismatches;
        }
      }
      OH_IPCParcel_Destroy(data);
      OH_IPCParcel_Destroy(reply);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(mismatches, 0);
}

// A callback that waits for another request of the same connection must not starve it: the
// standby io thread takes over listening while the first callback blocks.
TEST_F(IpcPeerTest, LongCallbackDoesNotBlockOtherRequests) {
  std::thread waiter([&] {
    Parcels p;
    ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kWaitForSignal, p.data, p.reply, nullptr),
              OH_IPC_SUCCESS);
    int32_t arrived = 0;
    ASSERT_EQ(OH_IPCParcel_ReadInt32(p.reply, &arrived), OH_IPC_SUCCESS);
    EXPECT_EQ(arrived, 1);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  Parcels p;
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kSignal, p.data, p.reply, nullptr),
            OH_IPC_SUCCESS);
  waiter.join();
}

TEST_F(IpcPeerTest, ChildExitingNormallyKillsTheProxy) {
  g_deaths = 0;
  OHIPCDeathRecipient* recipient = OH_IPCDeathRecipient_Create(CountDeath, nullptr, nullptr);
  ASSERT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(peer_.root(), recipient), OH_IPC_SUCCESS);
  Parcels p;
  ASSERT_EQ(OH_IPCRemoteProxy_SendRequest(peer_.root(), kDropRootAndExit, p.data, p.reply, nullptr),
            OH_IPC_SUCCESS);
  ASSERT_TRUE(WaitFor([] { return g_deaths.load() == 1; }));
  EXPECT_EQ(ncp_ipc_connection_is_dead(peer_.connection()), 1);
  OH_IPCDeathRecipient_Destroy(recipient);
}

}  // namespace
