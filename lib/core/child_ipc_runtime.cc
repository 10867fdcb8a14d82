#include "core/child_ipc_runtime.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "IPCKit/ipc_error_code.h"
#include "base/log.h"
#include "core/ipc_api.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {
namespace {

using OnConnectFunction = OHIPCRemoteStub* (*)();
using MainProcFunction = void (*)();

[[noreturn]] void Exit(int status, const char* what, const char* detail) {
  base::LogLine("child %d: %s%s", static_cast<int>(getpid()), what, detail);
  fflush(nullptr);
  _exit(status);
}

}  // namespace

void RunIpcChild(void* library, const WireRequest& request,
                 const std::function<void()>& before_user_code) {
  auto on_connect =
      reinterpret_cast<OnConnectFunction>(dlsym(library, "NativeChildProcess_OnConnect"));
  auto main_proc =
      reinterpret_cast<MainProcFunction>(dlsym(library, "NativeChildProcess_MainProc"));
  if (on_connect == nullptr || main_proc == nullptr) {
    Exit(NCP_CHILD_EXIT_SYMBOL_NOT_FOUND,
         on_connect == nullptr ? "no NativeChildProcess_OnConnect in "
                               : "no NativeChildProcess_MainProc in ",
         request.library.c_str());
  }
  if (request.ipc_fd < 0) Exit(NCP_CHILD_EXIT_BAD_REQUEST, "no IPC socket in the request", "");
  // Before the hook: loading may need syscalls a sandbox's filter refuses. The user's library
  // links libipc_capi.so in practice, so this finds that very copy.
  auto api = LoadIpcApi();
  if (!api.ok()) Exit(NCP_CHILD_EXIT_LIBRARY_NOT_LOADED, api.status().message().c_str(), "");

  before_user_code();
  OHIPCRemoteStub* stub = on_connect();
  ncp_ipc_connection* connection = nullptr;
  // With stub == NULL this still adopts: a HELLO without a root is how the parent learns
  // "OnConnect returned NULL" (16010008), as distinct from a child that died (16010007).
  if ((*api)->adopt(request.ipc_fd, stub, &connection) != OH_IPC_SUCCESS) {
    Exit(NCP_CHILD_EXIT_CONNECTION_FAILED, "cannot adopt the IPC socket", "");
  }
  if (stub == nullptr) {
    (*api)->release(connection);
    Exit(NCP_CHILD_EXIT_CONNECTION_FAILED, "NativeChildProcess_OnConnect returned NULL", "");
  }
  // The stub stays the library's (OpenHarmony: the child "controls its lifecycle"); the
  // connection holds its own reference.
  main_proc();
  (*api)->release(connection);
  // OpenHarmony's children end with quick_exit(0): no static destructors run while the IPC
  // threads may still be serving. Flush stdio first so the child's output is not lost.
  fflush(nullptr);
  quick_exit(0);
}

}  // namespace ncp::core
