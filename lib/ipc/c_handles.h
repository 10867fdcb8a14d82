// The C handle types: each wrapper owns one reference to an internal object. Defined here for
// the shims only; applications see them as opaque.
#pragma once

#include <memory>

#include "ipc/remote_object.h"

struct OHIPCRemoteStub {
  std::shared_ptr<ncp::ipc::Stub> stub;
};

struct OHIPCRemoteProxy {
  std::shared_ptr<ncp::ipc::RemoteObject> object;  // a RemoteProxy, or a local Stub
};

struct OHIPCDeathRecipient {
  std::shared_ptr<ncp::ipc::DeathRecipient> recipient;
};

// Every exported function is wrapped so no C++ exception crosses into C.
#define NCP_IPC_EXPORT extern "C" __attribute__((visibility("default")))
