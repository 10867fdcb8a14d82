// The object model behind OHIPCRemoteStub/OHIPCRemoteProxy. Every C wrapper holds one
// std::shared_ptr<RemoteObject>; parcels, connections (exported stubs) and wrappers all share
// ownership, so a stub lives while anyone — including a peer process — can still reach it, and
// its destroy callback runs when the last reference goes.
//
// Two kinds: Stub (a local object; requests run its callback) and RemoteProxy (connection.h: a
// handle to an object in the peer process). A proxy wrapper may point at a Stub: a stub that
// travelled to the peer and came back resolves to the original object, and requests on it call
// the callback directly on the caller's thread, as OpenHarmony does for local objects.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "IPCKit/ipc_cremote_object.h"
#include "IPCKit/ipc_error_code.h"
#include "ipc/calling_context.h"
#include "ipc/parcel.h"

namespace ncp::ipc {

// OHIPCDeathRecipient: a callback plus a destroy callback run when the last reference goes.
class DeathRecipient {
 public:
  DeathRecipient(OH_OnDeathRecipientCallback on_death,
                 OH_OnDeathRecipientDestroyCallback on_destroy, void* user_data)
      : on_death_(on_death), on_destroy_(on_destroy), user_data_(user_data) {}
  ~DeathRecipient() {
    if (on_destroy_ != nullptr) on_destroy_(user_data_);
  }
  DeathRecipient(const DeathRecipient&) = delete;
  DeathRecipient& operator=(const DeathRecipient&) = delete;

  void Notify() const { on_death_(user_data_); }

 private:
  OH_OnDeathRecipientCallback on_death_;
  OH_OnDeathRecipientDestroyCallback on_destroy_;
  void* user_data_;
};

class RemoteObject {
 public:
  virtual ~RemoteObject() = default;

  virtual bool IsProxy() const = 0;
  // Results are OH_IPC_* codes or user codes. `reply` is never null (async callers pass a
  // throw-away parcel).
  virtual int SendRequest(uint32_t code, const Parcel& data, Parcel* reply, bool one_way) = 0;
  virtual int GetDescriptor(std::string* descriptor) = 0;
  virtual bool IsDead() const = 0;
  virtual int AddDeathRecipient(std::shared_ptr<DeathRecipient> recipient) = 0;
  virtual int RemoveDeathRecipient(const DeathRecipient* recipient) = 0;
};

class Stub final : public RemoteObject {
 public:
  Stub(std::string descriptor, OH_OnRemoteRequestCallback on_request,
       OH_OnRemoteDestroyCallback on_destroy, void* user_data)
      : descriptor_(std::move(descriptor)),
        on_request_(on_request),
        on_destroy_(on_destroy),
        user_data_(user_data) {}
  ~Stub() override {
    if (on_destroy_ != nullptr) on_destroy_(user_data_);
  }

  const std::string& descriptor() const { return descriptor_; }

  // Runs the request callback as `caller`, mapping its result (MapStubResult).
  int Dispatch(uint32_t code, const Parcel& data, Parcel* reply, const CallerIdentity& caller);

  bool IsProxy() const override { return false; }
  int SendRequest(uint32_t code, const Parcel& data, Parcel* reply, bool one_way) override;
  int GetDescriptor(std::string* descriptor) override;
  bool IsDead() const override { return false; }
  // A local object never dies while referenced; OpenHarmony's stub refuses recipients.
  int AddDeathRecipient(std::shared_ptr<DeathRecipient>) override { return OH_IPC_INNER_ERROR; }
  int RemoveDeathRecipient(const DeathRecipient*) override { return OH_IPC_INNER_ERROR; }

 private:
  const std::string descriptor_;
  const OH_OnRemoteRequestCallback on_request_;
  const OH_OnRemoteDestroyCallback on_destroy_;
  void* const user_data_;
};

// The C parcel type is the internal Parcel seen through an opaque pointer.
inline OHIPCParcel* ToC(Parcel* parcel) { return reinterpret_cast<OHIPCParcel*>(parcel); }
inline const OHIPCParcel* ToC(const Parcel* parcel) {
  return reinterpret_cast<const OHIPCParcel*>(parcel);
}
inline Parcel* FromC(OHIPCParcel* parcel) { return reinterpret_cast<Parcel*>(parcel); }
inline const Parcel* FromC(const OHIPCParcel* parcel) {
  return reinterpret_cast<const Parcel*>(parcel);
}

}  // namespace ncp::ipc
