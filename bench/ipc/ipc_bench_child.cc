// libncp_ipc_bench_child.so: the IPC-type child of ipc_bench, started by
// OH_Ability_CreateNativeChildProcess. Its stub: code 1 echoes an int32, code 2 echoes the whole
// request parcel, code 3 pins every thread of the child to the CPU given, code 4 (one-way) makes
// MainProc return.
#include <dirent.h>
#include <sched.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "IPCKit/ipc_kit.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

std::mutex g_mu;
std::condition_variable g_cv;
bool g_exit = false;

int PinProcess(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return OH_IPC_INNER_ERROR;
  int failures = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.' && sched_setaffinity(std::atoi(e->d_name), sizeof set, &set) != 0) {
      ++failures;
    }
  }
  closedir(dir);
  return failures == 0 ? OH_IPC_SUCCESS : OH_IPC_INNER_ERROR;
}

int OnRequest(uint32_t code, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  int32_t value = 0;
  switch (code) {
    case 1:
      if (OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      return OH_IPCParcel_WriteInt32(reply, value);
    case 2:
      return OH_IPCParcel_Append(reply, data);
    case 3:
      if (OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      return PinProcess(value);
    case 4: {
      std::lock_guard lock(g_mu);
      g_exit = true;
      g_cv.notify_all();
      return OH_IPC_SUCCESS;
    }
    default:
      return OH_IPC_INVALID_USER_ERROR_CODE;
  }
}

}  // namespace

EXPORT OHIPCRemoteStub* NativeChildProcess_OnConnect(void) {
  return OH_IPCRemoteStub_Create("ncp.bench.Echo", OnRequest, nullptr, nullptr);
}

EXPORT void NativeChildProcess_MainProc(void) {
  std::unique_lock lock(g_mu);
  g_cv.wait(lock, [] { return g_exit; });
}
