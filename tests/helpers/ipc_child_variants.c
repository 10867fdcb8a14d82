/* IPC-type children that go wrong, built twice (see CMakeLists.txt):
     libncp_test_ipc_null_stub.so  (NCP_VARIANT_NULL_STUB): OnConnect returns NULL;
     libncp_test_ipc_no_main.so    (NCP_VARIANT_NO_MAIN): no NativeChildProcess_MainProc.
   Each function that runs creates the file "$NCP_TEST_MARKER_DIR/<function>" (when set), so a
   test can tell which of them ran. OnConnect first sleeps $NCP_TEST_ONCONNECT_SLEEP_MS ms when
   set (OpenHarmony's libbusytest). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "IPCKit/ipc_kit.h"

#define EXPORT __attribute__((visibility("default")))

static void Mark(const char* function) {
  const char* dir = getenv("NCP_TEST_MARKER_DIR");
  if (dir == NULL) return;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, function);
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
}

static int Ignore(uint32_t code, const OHIPCParcel* data, OHIPCParcel* reply, void* user_data) {
  (void)code, (void)data, (void)reply, (void)user_data;
  return 0;
}

EXPORT OHIPCRemoteStub* NativeChildProcess_OnConnect(void) {
  const char* sleep_ms = getenv("NCP_TEST_ONCONNECT_SLEEP_MS");
  if (sleep_ms != NULL) {
    long ms = atol(sleep_ms);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  Mark("OnConnect");
#ifdef NCP_VARIANT_NULL_STUB
  (void)Ignore;
  return NULL;
#else
  return OH_IPCRemoteStub_Create("ncp.test.NoMain", Ignore, NULL, NULL);
#endif
}

#ifdef NCP_VARIANT_NULL_STUB
EXPORT void NativeChildProcess_MainProc(void) { Mark("MainProc"); }
#endif
