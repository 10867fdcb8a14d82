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

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

std::mutex g_mu;
std::condition_variable g_exit_cv;
bool g_exit = false;
std::atomic<int32_t> g_recorded{0};
std::atomic<int32_t> g_main_proc_tid{0};

void Started(int, OHIPCRemoteProxy* proxy) { OH_IPCRemoteProxy_Destroy(proxy); }

int NewStubRequest(uint32_t, const OHIPCParcel*, OHIPCParcel* reply, void*) {
  return OH_IPCParcel_WriteInt32(reply, 4242);
}

int FdExchange(const OHIPCParcel* data, OHIPCParcel* reply) {
  int32_t fd = -1;
  if (OH_IPCParcel_ReadFileDescriptor(data, &fd) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
  char text[128] = {};
  ssize_t got = read(fd, text, sizeof text - 1);
  close(fd);
  text[got > 0 ? got : 0] = '\0';
  if (OH_IPCParcel_WriteString(reply, text) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_WRITE_ERROR;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return OH_IPC_INNER_ERROR;
  (void)!write(pipe_fds[1], "from child", 10);
  close(pipe_fds[1]);
  int result = OH_IPCParcel_WriteFileDescriptor(reply, pipe_fds[0]);
  close(pipe_fds[0]);
  return result;
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
  int result =
      OH_IPCRemoteProxy_SendRequest(proxy, NCP_IPC_CHILD_ECHO_INT, request, answer, nullptr);
  int32_t echoed = -1;
  OH_IPCParcel_ReadInt32(answer, &echoed);
  OH_IPCParcel_WriteInt32(reply, result);
  OH_IPCParcel_WriteInt32(reply, echoed);
  OH_IPCParcel_Destroy(request);
  OH_IPCParcel_Destroy(answer);
  OH_IPCRemoteProxy_Destroy(proxy);
  return OH_IPC_SUCCESS;
}

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
      return FdExchange(data, reply);
    case NCP_IPC_CHILD_CALL_BACK:
      return CallBack(data, reply);
    case NCP_IPC_CHILD_RETURN_OBJECT: {
      OHIPCRemoteProxy* proxy = OH_IPCParcel_ReadRemoteProxy(data);
      if (proxy == nullptr) return OH_IPC_PARCEL_READ_ERROR;
      int result = OH_IPCParcel_WriteRemoteProxy(reply, proxy);
      OH_IPCRemoteProxy_Destroy(proxy);
      return result;
    }
    case NCP_IPC_CHILD_RECORD:
      if (OH_IPCParcel_ReadInt32(data, &a) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      g_recorded += a;
      return OH_IPC_SUCCESS;
    case NCP_IPC_CHILD_GET_RECORDED:
      return OH_IPCParcel_WriteInt32(reply, g_recorded.load());
    case NCP_IPC_CHILD_NEW_STUB: {
      OHIPCRemoteStub* stub =
          OH_IPCRemoteStub_Create("ncp.test.ChildStub", NewStubRequest, nullptr, nullptr);
      int result = OH_IPCParcel_WriteRemoteStub(reply, stub);
      OH_IPCRemoteStub_Destroy(stub);  // the parcel holds its own reference
      return result;
    }
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
