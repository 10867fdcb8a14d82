// C shims for ipc_cremote_object.h: argument checks in OpenHarmony's order, then the object call.
#include <cxxabi.h>

#include <cstring>
#include <new>

#include "IPCKit/ipc_cremote_object.h"
#include "IPCKit/ipc_error_code.h"
#include "base/no_cancellation.h"
#include "ipc/c_handles.h"
#include "ipc/parcel.h"
#include "ipc/result_codes.h"
#include "ipc/utf16.h"

using ncp::ipc::FromC;
using ncp::ipc::Parcel;

namespace {

constexpr size_t kMaxDescriptorLength = Parcel::kMaxCapacity;

}  // namespace

NCP_IPC_EXPORT OHIPCRemoteStub* OH_IPCRemoteStub_Create(const char* descriptor,
                                                        OH_OnRemoteRequestCallback requestCallback,
                                                        OH_OnRemoteDestroyCallback destroyCallback,
                                                        void* userData) {
  if (descriptor == nullptr || requestCallback == nullptr) return nullptr;
  size_t length = strnlen(descriptor, kMaxDescriptorLength + 1);
  if (length == 0 || length > kMaxDescriptorLength) return nullptr;
  // OpenHarmony keeps descriptors as UTF-16, so a descriptor that does not convert is refused.
  if (!ncp::ipc::Utf8ToUtf16({descriptor, length})) return nullptr;
  const ncp::base::NoCancellation no_cancellation;
  try {
    auto stub = std::make_shared<ncp::ipc::Stub>(std::string(descriptor, length), requestCallback,
                                                 destroyCallback, userData);
    return new OHIPCRemoteStub{std::move(stub)};
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return nullptr;
  }
}

NCP_IPC_EXPORT void OH_IPCRemoteStub_Destroy(OHIPCRemoteStub* stub) { delete stub; }

NCP_IPC_EXPORT void OH_IPCRemoteProxy_Destroy(OHIPCRemoteProxy* proxy) { delete proxy; }

NCP_IPC_EXPORT int OH_IPCRemoteProxy_SendRequest(const OHIPCRemoteProxy* proxy, uint32_t code,
                                                 const OHIPCParcel* data, OHIPCParcel* reply,
                                                 const OH_IPC_MessageOption* option) {
  if (proxy == nullptr || proxy->object == nullptr || data == nullptr ||
      (option != nullptr && option->reserved != nullptr)) {
    return OH_IPC_CHECK_PARAM_ERROR;
  }
  if (!ncp::ipc::IsUserRequestCode(code)) return OH_IPC_CODE_OUT_OF_RANGE;
  // Read the mode as raw bits: a C caller may store any int there, and any value other than
  // ASYNC means SYNC; loading an out-of-range value as the C++ enum would be undefined.
  int mode = OH_IPC_REQUEST_MODE_SYNC;
  if (option != nullptr) std::memcpy(&mode, &option->mode, sizeof(mode));
  bool one_way = mode == OH_IPC_REQUEST_MODE_ASYNC;
  if (reply == nullptr && !one_way) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    Parcel throwaway;
    Parcel* reply_parcel = reply != nullptr ? FromC(reply) : &throwaway;
    return proxy->object->SendRequest(code, *FromC(data), reply_parcel, one_way);
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT int OH_IPCRemoteProxy_GetInterfaceDescriptor(OHIPCRemoteProxy* proxy,
                                                            char** descriptor, int32_t* len,
                                                            OH_IPC_MemAllocator allocator) {
  if (proxy == nullptr || proxy->object == nullptr || descriptor == nullptr || len == nullptr ||
      allocator == nullptr) {
    return OH_IPC_CHECK_PARAM_ERROR;
  }
  const ncp::base::NoCancellation no_cancellation;
  try {
    std::string text;
    int result = proxy->object->GetDescriptor(&text);
    if (result != OH_IPC_SUCCESS) return result;
    auto size = static_cast<int32_t>(text.size() + 1);
    char* memory = static_cast<char*>(allocator(size));
    if (memory == nullptr) return OH_IPC_MEM_ALLOCATOR_ERROR;
    std::memcpy(memory, text.c_str(), text.size() + 1);
    *descriptor = memory;
    *len = size;
    return OH_IPC_SUCCESS;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT OHIPCDeathRecipient* OH_IPCDeathRecipient_Create(
    OH_OnDeathRecipientCallback deathRecipientCallback,
    OH_OnDeathRecipientDestroyCallback destroyCallback, void* userData) {
  if (deathRecipientCallback == nullptr) return nullptr;
  const ncp::base::NoCancellation no_cancellation;
  try {
    return new OHIPCDeathRecipient{std::make_shared<ncp::ipc::DeathRecipient>(
        deathRecipientCallback, destroyCallback, userData)};
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return nullptr;
  }
}

NCP_IPC_EXPORT void OH_IPCDeathRecipient_Destroy(OHIPCDeathRecipient* recipient) {
  delete recipient;
}

NCP_IPC_EXPORT int OH_IPCRemoteProxy_AddDeathRecipient(OHIPCRemoteProxy* proxy,
                                                       OHIPCDeathRecipient* recipient) {
  if (proxy == nullptr || proxy->object == nullptr || recipient == nullptr ||
      recipient->recipient == nullptr) {
    return OH_IPC_CHECK_PARAM_ERROR;
  }
  const ncp::base::NoCancellation no_cancellation;
  try {
    return proxy->object->AddDeathRecipient(recipient->recipient);
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT int OH_IPCRemoteProxy_RemoveDeathRecipient(OHIPCRemoteProxy* proxy,
                                                          OHIPCDeathRecipient* recipient) {
  if (proxy == nullptr || proxy->object == nullptr || recipient == nullptr ||
      recipient->recipient == nullptr) {
    return OH_IPC_CHECK_PARAM_ERROR;
  }
  const ncp::base::NoCancellation no_cancellation;
  try {
    return proxy->object->RemoveDeathRecipient(recipient->recipient.get());
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT int OH_IPCRemoteProxy_IsRemoteDead(const OHIPCRemoteProxy* proxy) {
  if (proxy == nullptr || proxy->object == nullptr) return 1;
  return proxy->object->IsDead() ? 1 : 0;
}
