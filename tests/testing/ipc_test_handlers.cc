#include "testing/ipc_test_handlers.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace ncp::testing {
namespace {

int Reply4242(uint32_t, const OHIPCParcel*, OHIPCParcel* reply, void*) {
  return OH_IPCParcel_WriteInt32(reply, 4242);
}

}  // namespace

int ServeFdExchange(const OHIPCParcel* data, OHIPCParcel* reply, const char* message) {
  int32_t fd = -1;
  if (OH_IPCParcel_ReadFileDescriptor(data, &fd) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
  char text[128] = {};
  const ssize_t got = read(fd, text, sizeof text - 1);
  close(fd);
  text[got > 0 ? got : 0] = '\0';
  if (OH_IPCParcel_WriteString(reply, text) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_WRITE_ERROR;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return OH_IPC_INNER_ERROR;
  (void)!write(pipe_fds[1], message, strlen(message));
  close(pipe_fds[1]);
  const int result = OH_IPCParcel_WriteFileDescriptor(reply, pipe_fds[0]);
  close(pipe_fds[0]);
  return result;
}

int ServeCallBack(const OHIPCParcel* data, OHIPCParcel* reply, uint32_t echo_code) {
  OHIPCRemoteProxy* proxy = OH_IPCParcel_ReadRemoteProxy(data);
  int32_t value = 0;
  if (proxy == nullptr || OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) {
    OH_IPCRemoteProxy_Destroy(proxy);
    return OH_IPC_PARCEL_READ_ERROR;
  }
  OHIPCParcel* request = OH_IPCParcel_Create();
  OHIPCParcel* answer = OH_IPCParcel_Create();
  OH_IPCParcel_WriteInt32(request, value + 1);
  const int result = OH_IPCRemoteProxy_SendRequest(proxy, echo_code, request, answer, nullptr);
  int32_t echoed = -1;
  OH_IPCParcel_ReadInt32(answer, &echoed);
  OH_IPCParcel_WriteInt32(reply, result);
  OH_IPCParcel_WriteInt32(reply, echoed);
  OH_IPCParcel_Destroy(request);
  OH_IPCParcel_Destroy(answer);
  OH_IPCRemoteProxy_Destroy(proxy);
  return OH_IPC_SUCCESS;
}

int ServeNewStub(OHIPCParcel* reply, const char* descriptor) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create(descriptor, Reply4242, nullptr, nullptr);
  const int result = OH_IPCParcel_WriteRemoteStub(reply, stub);
  OH_IPCRemoteStub_Destroy(stub);  // the reply (then the peer) keeps it alive
  return result;
}

int ServeReturnObject(const OHIPCParcel* data, OHIPCParcel* reply) {
  OHIPCRemoteProxy* proxy = OH_IPCParcel_ReadRemoteProxy(data);
  if (proxy == nullptr) return OH_IPC_PARCEL_READ_ERROR;
  const int result = OH_IPCParcel_WriteRemoteProxy(reply, proxy);
  OH_IPCRemoteProxy_Destroy(proxy);
  return result;
}

}  // namespace ncp::testing
