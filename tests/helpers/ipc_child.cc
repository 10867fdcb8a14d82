// libncp_test_ipc_child.so: an IPC-type child (NativeChildProcess_OnConnect + MainProc) serving
// ipc_child_protocol.h. MainProc blocks until NCP_IPC_CHILD_EXIT arrives.
#define _GNU_SOURCE 1
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "AbilityKit/native_child_process.h"
#include "IPCKit/ipc_kit.h"
#include "ipc_child_protocol.h"
#include "testing/ipc_test_handlers.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

std::mutex g_mu;
std::condition_variable g_exit_cv;
bool g_exit = false;
std::atomic<int32_t> g_recorded{0};
std::atomic<int32_t> g_main_proc_tid{0};

void Started(int, OHIPCRemoteProxy* proxy) { OH_IPCRemoteProxy_Destroy(proxy); }

// Every thread of this process, and the ones they start later, on `cpu`.
int PinProcess(int32_t cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return OH_IPC_INNER_ERROR;
  int failures = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    if (sched_setaffinity(atoi(e->d_name), sizeof set, &set) != 0) ++failures;
  }
  closedir(dir);
  return failures == 0 ? OH_IPC_SUCCESS : OH_IPC_INNER_ERROR;
}

int OnRequest(uint32_t code, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  int32_t a = 0;
  int32_t b = 0;
  switch (code) {
    case NCP_IPC_CHILD_EXIT: {
      std::lock_guard lock(g_mu);
      g_exit = true;
      g_exit_cv.notify_all();
      return OH_IPC_SUCCESS;
    }
    case NCP_IPC_CHILD_ADD:
      if (OH_IPCParcel_ReadInt32(data, &a) != OH_IPC_SUCCESS ||
          OH_IPCParcel_ReadInt32(data, &b) != OH_IPC_SUCCESS) {
        return OH_IPC_PARCEL_READ_ERROR;
      }
      return OH_IPCParcel_WriteInt32(reply, a + b);
    case NCP_IPC_CHILD_CREATE:
      return OH_IPCParcel_WriteInt32(
          reply, OH_Ability_CreateNativeChildProcess("libncp_test_ipc_child.so", Started));
    case NCP_IPC_CHILD_ECHO_INT:
      if (OH_IPCParcel_ReadInt32(data, &a) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      return OH_IPCParcel_WriteInt32(reply, a);
    case NCP_IPC_CHILD_ECHO_ALL:
      return OH_IPCParcel_Append(reply, data);
    case NCP_IPC_CHILD_GET_PID:
      return OH_IPCParcel_WriteInt32(reply, getpid());
    case NCP_IPC_CHILD_FD_EXCHANGE:
      return ncp::testing::ServeFdExchange(data, reply, "from child");
    case NCP_IPC_CHILD_CALL_BACK:
      return ncp::testing::ServeCallBack(data, reply, NCP_IPC_CHILD_ECHO_INT);
    case NCP_IPC_CHILD_RETURN_OBJECT:
      return ncp::testing::ServeReturnObject(data, reply);
    case NCP_IPC_CHILD_RECORD:
      if (OH_IPCParcel_ReadInt32(data, &a) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      g_recorded += a;
      return OH_IPC_SUCCESS;
    case NCP_IPC_CHILD_GET_RECORDED:
      return OH_IPCParcel_WriteInt32(reply, g_recorded.load());
    case NCP_IPC_CHILD_NEW_STUB:
      return ncp::testing::ServeNewStub(reply, "ncp.test.ChildStub");
    case NCP_IPC_CHILD_CRASH:
      *static_cast<volatile int*>(nullptr) = 1;
      return OH_IPC_SUCCESS;
    case NCP_IPC_CHILD_PIN_CPU:
      if (OH_IPCParcel_ReadInt32(data, &a) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      return PinProcess(a);
    case NCP_IPC_CHILD_MAIN_PROC_INFO:
      if (OH_IPCParcel_WriteInt32(reply, g_main_proc_tid.load()) != OH_IPC_SUCCESS) {
        return OH_IPC_PARCEL_WRITE_ERROR;
      }
      return OH_IPCParcel_WriteInt32(reply, static_cast<int32_t>(gettid()));
    case NCP_IPC_CHILD_CALLING_PID:
      return OH_IPCParcel_WriteInt64(reply, static_cast<int64_t>(OH_IPCSkeleton_GetCallingPid()));
    default:
      return OH_IPC_INVALID_USER_ERROR_CODE;
  }
}

}  // namespace

EXPORT OHIPCRemoteStub* NativeChildProcess_OnConnect(void) {
  return OH_IPCRemoteStub_Create(NCP_IPC_CHILD_DESCRIPTOR, OnRequest, nullptr, nullptr);
}

EXPORT void NativeChildProcess_MainProc(void) {
  g_main_proc_tid = static_cast<int32_t>(gettid());
  std::unique_lock lock(g_mu);
  g_exit_cv.wait(lock, [] { return g_exit; });
}
