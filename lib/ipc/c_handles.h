// The C handle types: each wrapper owns one reference to an internal object. Defined here for
// the shims only; applications see them as opaque.
#pragma once

#include <memory>

#include "ipc/remote_object.h"

struct OHIPCRemoteStub {
  // The Stub of OH_IPCRemoteStub_Create, or whatever object OH_IPCParcel_ReadRemoteStub found:
  // OpenHarmony wraps any object there (ipc_cparcel.cpp, ReadIPCRemoteObject), a proxy too.
  // Such a wrapper can be written to a parcel and destroyed like any other.
  std::shared_ptr<ncp::ipc::RemoteObject> object;
  // The local stub, or nullptr when this wraps a proxy.
  std::shared_ptr<ncp::ipc::Stub> local() const {
    if (object == nullptr || object->IsProxy()) return nullptr;
    return std::static_pointer_cast<ncp::ipc::Stub>(object);
  }
};

struct OHIPCRemoteProxy {
  std::shared_ptr<ncp::ipc::RemoteObject> object;  // a RemoteProxy, or a local Stub
};

struct OHIPCDeathRecipient {
  std::shared_ptr<ncp::ipc::DeathRecipient> recipient;
};

// Every exported function is wrapped so no C++ exception crosses into C.
#define NCP_IPC_EXPORT extern "C" __attribute__((visibility("default")))
