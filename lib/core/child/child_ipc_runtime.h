// The IPC-type half of the child runtime (OH_Ability_CreateNativeChildProcess*), after the
// library is loaded: OnConnect, adopt the IPC socket with its stub, MainProc on this (the main)
// thread while libipc_capi's threads serve the stub, then exit.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/protocol/wire.h"

namespace ncp::core {

// How long a child whose MainProc returned keeps serving the requests it had already received
// (and any still unread on its socket) before it exits: every handler running at that moment
// that finishes within this time gets its reply to the parent. Requests that arrive later, or
// handlers still running after it, end in OH_IPC_DEAD_REMOTE_OBJECT for the caller.
inline constexpr std::chrono::milliseconds kMainProcReturnGrace{3000};

// Never returns. `before_user_code` runs right before NativeChildProcess_OnConnect (and exits the
// process itself if the hook refuses). Exit statuses: 0 after MainProc returned;
// NCP_CHILD_EXIT_SYMBOL_NOT_FOUND, NCP_CHILD_EXIT_LIBRARY_NOT_LOADED (libipc_capi.so),
// NCP_CHILD_EXIT_CONNECTION_FAILED (OnConnect returned NULL, or the socket cannot be adopted),
// NCP_CHILD_EXIT_BAD_REQUEST (no socket in the request). The parent learns the first two as its
// socket hanging up without a HELLO (16010007), the third as a HELLO without a root (16010008).
// `entry_found` runs once both symbols are found and libipc_capi.so is loaded, before
// `before_user_code`; `entry_missing(status, message)` right before the child exits 120/121.
struct IpcChildHooks {
  std::function<void()> entry_found;
  std::function<void(int status, const char* message)> entry_missing;
  std::function<void()> before_user_code;
};
[[noreturn]] void RunIpcChild(void* library, const WireRequest& request,
                              const IpcChildHooks& hooks);

}  // namespace ncp::core
