// The child process of ipc_bench. Serves fd 3, one end of a SOCK_SEQPACKET socketpair:
//   ipc_bench_peer raw CPU  — echoes every packet back unchanged (the anchor's peer);
//   ipc_bench_peer ipc CPU  — adopts the socket with a stub: code 1 echoes an int32, code 2
//                             echoes the whole request parcel.
// CPU (-1 for any) pins the process before it starts any thread.
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "IPCKit/ipc_kit.h"
#include "ncp_ipc_private.h"

namespace {

int RawEcho() {
  std::vector<char> buffer(256 * 1024);
  while (true) {
    ssize_t got = ::recv(3, buffer.data(), buffer.size(), 0);
    if (got <= 0) return 0;
    if (::send(3, buffer.data(), static_cast<size_t>(got), MSG_NOSIGNAL) != got) return 1;
  }
}

int OnRequest(uint32_t code, const OHIPCParcel* data, OHIPCParcel* reply, void*) {
  if (code == 1) {
    int32_t value = 0;
    if (OH_IPCParcel_ReadInt32(data, &value) != OH_IPC_SUCCESS) return OH_IPC_PARCEL_READ_ERROR;
    return OH_IPCParcel_WriteInt32(reply, value);
  }
  return OH_IPCParcel_Append(reply, data);
}

int IpcServe() {
  OHIPCRemoteStub* root = OH_IPCRemoteStub_Create("ncp.bench.Echo", OnRequest, nullptr, nullptr);
  ncp_ipc_connection* connection = nullptr;
  if (ncp_ipc_connection_adopt(3, root, &connection) != OH_IPC_SUCCESS) return 2;
  OH_IPCRemoteStub_Destroy(root);
  while (!ncp_ipc_connection_is_dead(connection)) ::usleep(50 * 1000);
  ncp_ipc_connection_release(connection);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 64;
  int cpu = std::atoi(argv[2]);
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (::sched_setaffinity(0, sizeof(set), &set) != 0) return 65;
  }
  if (std::strcmp(argv[1], "raw") == 0) return RawEcho();
  if (std::strcmp(argv[1], "ipc") == 0) return IpcServe();
  return 64;
}
