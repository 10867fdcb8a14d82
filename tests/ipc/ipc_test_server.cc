// ipc_test_server: the peer process of the IPC tests. Started with posix_spawn, it adopts fd 3 (one
// end of a SOCK_SEQPACKET socketpair) with a root stub and serves test_server_protocol.h until the
// parent goes away.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "IPCKit/ipc_kit.h"
#include "ncp_ipc_private.h"
#include "test_server_protocol.h"

namespace {

using namespace ncp::ipc::testing;

std::atomic<int32_t> g_recorded{0};
std::mutex g_signal_mutex;
std::condition_variable g_signalled;
bool g_signal = false;

int ChildStubRequest(uint32_t, const OHIPCParcel*, OHIPCParcel* reply, void*) {
  return OH_IPCParcel_WriteInt32(reply, 4242);
}

int CallBack(const OHIPCParcel* data, OHIPCParcel* reply) {
  OHIPCRemoteProxy* proxy = OH_IPCParcel_ReadRemoteProxy(data);
  int32_t value = 0;
  if (proxy == nullptr || OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) {
    OH_IPCRemoteProxy_Destroy(proxy);
    return OH_IPC_PARCEL_READ_ERROR;
  }
  OHIPCParcel* request = OH_IPCParcel_Create();
  OHIPCParcel* answer = OH_IPCParcel_Create();
  OH_IPCParcel_WriteInt32(request, value + 1);
  int result = OH_IPCRemoteProxy_SendRequest(proxy, kEchoInt, request, answer, nullptr);
  int32_t echoed = -1;
  OH_IPCParcel_ReadInt32(answer, &echoed);
  OH_IPCParcel_WriteInt32(reply, result);
  OH_IPCParcel_WriteInt32(reply, echoed);
  OH_IPCParcel_Destroy(request);
  OH_IPCParcel_Destroy(answer);
  OH_IPCRemoteProxy_Destroy(proxy);
  return OH_IPC_SUCCESS;
}

int FdExchange(const OHIPCParcel* data, OHIPCParcel* reply) {
  int32_t fd = -1;
  if (OH_IPCParcel_ReadFileDescriptor(data, &fd) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
  char text[128] = {};
  ssize_t got = ::read(fd, text, sizeof(text) - 1);
  ::close(fd);
  if (got < 0) got = 0;
  text[got] = '\0';
  OH_IPCParcel_WriteString(reply, text);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return OH_IPC_INNER_ERROR;
  const char kMessage[] = "from server";
  (void)!::write(pipe_fds[1], kMessage, sizeof(kMessage) - 1);
  ::close(pipe_fds[1]);
  int result = OH_IPCParcel_WriteFileDescriptor(reply, pipe_fds[0]);
  ::close(pipe_fds[0]);
  return result;
}

int OnRequest(uint32_t code, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  int32_t value = 0;
  switch (code) {
    case kEchoInt:
      if (OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      return OH_IPCParcel_WriteInt32(reply, value);
    case kEchoAll:
      return OH_IPCParcel_Append(reply, data);
    case kReturnCode:
      OH_IPCParcel_ReadInt32(data, &value);
      return value;
    case kWhoCalls:
      OH_IPCParcel_WriteUint64(reply, OH_IPCSkeleton_GetCallingPid());
      OH_IPCParcel_WriteUint64(reply, OH_IPCSkeleton_GetCallingUid());
      OH_IPCParcel_WriteInt32(reply, OH_IPCSkeleton_IsHandlingTransaction());
      OH_IPCParcel_WriteInt32(reply, OH_IPCSkeleton_IsLocalCalling());
      return OH_IPCParcel_WriteInt32(reply, static_cast<int32_t>(::getpid()));
    case kNewStub: {
      OHIPCRemoteStub* stub =
          OH_IPCRemoteStub_Create("ncp.test.ServerChild", ChildStubRequest, nullptr, nullptr);
      int result = OH_IPCParcel_WriteRemoteStub(reply, stub);
      OH_IPCRemoteStub_Destroy(stub);  // the reply (then the parent) keeps it alive
      return result;
    }
    case kCallBack:
      return CallBack(data, reply);
    case kFdExchange:
      return FdExchange(data, reply);
    case kCrash:
      ::kill(::getpid(), SIGKILL);
      return OH_IPC_SUCCESS;
    case kReturnObject: {
      OHIPCRemoteProxy* proxy = OH_IPCParcel_ReadRemoteProxy(data);
      if (proxy == nullptr) return OH_IPC_PARCEL_READ_ERROR;
      int result = OH_IPCParcel_WriteRemoteProxy(reply, proxy);
      OH_IPCRemoteProxy_Destroy(proxy);
      return result;
    }
    case kRecordAsync:
      OH_IPCParcel_ReadInt32(data, &value);
      g_recorded += value;
      return OH_IPC_SUCCESS;
    case kGetRecorded:
      return OH_IPCParcel_WriteInt32(reply, g_recorded.load());
    case kDropRootAndExit:
      std::thread([] {
        ::usleep(50 * 1000);
        ::_exit(0);
      }).detach();
      return OH_IPC_SUCCESS;
    case kWaitForSignal: {
      std::unique_lock lock(g_signal_mutex);
      bool arrived = g_signalled.wait_for(lock, std::chrono::seconds(5), [] { return g_signal; });
      g_signal = false;
      return OH_IPCParcel_WriteInt32(reply, arrived ? 1 : 0);
    }
    case kSignal: {
      std::lock_guard lock(g_signal_mutex);
      g_signal = true;
      g_signalled.notify_all();
      return OH_IPC_SUCCESS;
    }
    default:
      return OH_IPC_USER_ERROR_CODE_MIN + 1;
  }
}

}  // namespace

int main() {
  OHIPCRemoteStub* root = OH_IPCRemoteStub_Create(kServerDescriptor, OnRequest, nullptr, nullptr);
  ncp_ipc_connection* connection = nullptr;
  if (root == nullptr || ncp_ipc_connection_adopt(3, root, &connection) != OH_IPC_SUCCESS) {
    std::fprintf(stderr, "ipc_test_server: cannot adopt fd 3\n");
    return 2;
  }
  OH_IPCRemoteStub_Destroy(root);  // the connection holds its own reference
  if (ncp_ipc_connection_wait_peer(connection, 30000) != OH_IPC_SUCCESS) return 3;
  // Serve until the parent is gone; requests run on the IPC worker pool meanwhile.
  while (!ncp_ipc_connection_is_dead(connection)) ::usleep(20 * 1000);
  ncp_ipc_connection_release(connection);
  return 0;
}
