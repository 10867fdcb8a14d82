// Starts an IPC-type child (OH_Ability_CreateNativeChildProcess*): a SOCK_SEQPACKET socketpair,
// one end to the child with the launch request, the other adopted here with no root object and
// handed to the registry's StartedCallbacks, which calls `callback` exactly once.
#pragma once

#include "AbilityKit/native_child_process.h"
#include "base/status.h"
#include "core/app/child_request.h"

namespace ncp::core {

// `request.kind` must be kIpc. kUnavailable when libipc_capi.so cannot be loaded; otherwise the
// codes of StartChild. On success the callback is pending (or already running).
base::Status StartIpcChild(ChildRequest request, OH_Ability_OnNativeChildProcessStarted callback);

}  // namespace ncp::core
