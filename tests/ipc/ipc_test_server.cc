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
#include "testing/ipc_test_handlers.h"

namespace {

using namespace ncp::ipc::testing;

std::atomic<int32_t> g_recorded{0};
std::mutex g_signal_mutex;
std::condition_variable g_signalled;
bool g_signal = false;

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
    case kNewStub:
      return ncp::testing::ServeNewStub(reply, "ncp.test.ServerChild");
    case kCallBack:
      return ncp::testing::ServeCallBack(data, reply, kEchoInt);
    case kFdExchange:
      return ncp::testing::ServeFdExchange(data, reply, "from server");
    case kCrash:
      ::kill(::getpid(), SIGKILL);
      return OH_IPC_SUCCESS;
    case kReturnObject:
      return ncp::testing::ServeReturnObject(data, reply);
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
