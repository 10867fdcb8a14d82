// libncp_test_ipc_exit_child.so: an IPC-type child whose handlers are still running when its
// MainProc returns (ipc_exit_child_protocol.h). MainProc blocks until asked to return.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "IPCKit/ipc_kit.h"
#include "ipc_exit_child_protocol.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// Long enough that the child runtime is well into its exit path when the reply is written, so a
// runtime that does not wait for running handlers loses the reply. Not a timing assertion: the
// reply must arrive whatever the delay.
constexpr auto kStillWorking = std::chrono::milliseconds(20);

std::mutex g_mu;
std::condition_variable g_cv;
int g_slow_running = 0;
bool g_exit = false;
bool g_main_proc_returned = false;

void WaitUntilMainProcReturned() {
  {
    std::unique_lock lock(g_mu);
    g_cv.wait(lock, [] { return g_main_proc_returned; });
  }
  std::this_thread::sleep_for(kStillWorking);
}

int OnRequest(uint32_t code, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  int32_t value = 0;
  switch (code) {
    case NCP_IPC_EXIT_CHILD_EXIT: {
      std::lock_guard lock(g_mu);
      g_exit = true;
      g_cv.notify_all();
      return OH_IPC_SUCCESS;
    }
    case NCP_IPC_EXIT_CHILD_SLOW_ECHO:
      if (OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      {
        std::lock_guard lock(g_mu);
        ++g_slow_running;
        g_cv.notify_all();
      }
      WaitUntilMainProcReturned();
      return OH_IPCParcel_WriteInt32(reply, value);
    case NCP_IPC_EXIT_CHILD_EXIT_AFTER:
      if (OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
      {
        std::unique_lock lock(g_mu);
        g_cv.wait(lock, [value] { return g_slow_running >= value; });
        g_exit = true;
        g_cv.notify_all();
      }
      WaitUntilMainProcReturned();
      return OH_IPCParcel_WriteInt32(reply, 4242);
    case NCP_IPC_EXIT_CHILD_HANG:
      for (;;) pause();
    default:
      return OH_IPC_INVALID_USER_ERROR_CODE;
  }
}

// Creates the file the environment variable `variable` names, if it is set.
void CreateMarker(const char* variable) {
  if (const char* marker = getenv(variable)) {
    int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
  }
}

}  // namespace

EXPORT OHIPCRemoteStub* NativeChildProcess_OnConnect(void) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("ncp.test.ExitChild", OnRequest, nullptr,
                                                  nullptr);
  CreateMarker(NCP_IPC_EXIT_CHILD_CONNECT_MARKER_ENV);
  return stub;
}

EXPORT void NativeChildProcess_MainProc(void) {
  CreateMarker(NCP_IPC_EXIT_CHILD_MARKER_ENV);
  std::unique_lock lock(g_mu);
  g_cv.wait(lock, [] { return g_exit; });
  // The last statement before the return: handlers waiting for it are still running when the
  // runtime takes over.
  g_main_proc_returned = true;
  g_cv.notify_all();
}
