#include "ipc/remote_proxy.h"

#include <algorithm>
#include <thread>

#include "ipc/connection.h"

namespace ncp::ipc {

RemoteProxy::RemoteProxy(std::shared_ptr<Connection> connection, uint32_t handle)
    : connection_(std::move(connection)), handle_(handle) {
  connection_->AddUser();
}

RemoteProxy::~RemoteProxy() {
  connection_->ReleaseImport(handle_, peer_references_);
  connection_->DropUser();
}

void RemoteProxy::AddPeerReference() {
  std::lock_guard lock(mutex_);
  ++peer_references_;
}

void RemoteProxy::NotifyDeath() {
  std::vector<std::shared_ptr<DeathRecipient>> recipients;
  {
    std::lock_guard lock(mutex_);
    if (death_notified_) return;
    death_notified_ = true;
    recipients.swap(recipients_);
    notifying_ = std::this_thread::get_id();
  }
  for (const auto& recipient : recipients) recipient->Notify();
  {
    std::lock_guard lock(mutex_);
    notifying_ = std::thread::id();
  }
  notified_.notify_all();
}

int RemoteProxy::SendRequest(uint32_t code, const Parcel& data, Parcel* reply, bool one_way) {
  return connection_->Transact(handle_, code, data, reply, one_way);
}

// OpenHarmony's IPCObjectProxy::GetInterfaceDescriptor (communication_ipc,
// ipc_object_proxy.cpp) keeps the descriptor once fetched and answers from it, even after the
// remote died; when the fetch fails it returns an empty string, which the C function
// (ipc_cremote_object.cpp) hands over as "" with success.
int RemoteProxy::GetDescriptor(std::string* descriptor) {
  {
    std::lock_guard lock(mutex_);
    if (descriptor_) {
      *descriptor = *descriptor_;
      return OH_IPC_SUCCESS;
    }
  }
  std::string fetched;
  if (connection_->FetchDescriptor(handle_, &fetched) != OH_IPC_SUCCESS) {
    descriptor->clear();
    return OH_IPC_SUCCESS;
  }
  std::lock_guard lock(mutex_);
  if (!descriptor_) descriptor_ = std::move(fetched);
  *descriptor = *descriptor_;
  return OH_IPC_SUCCESS;
}

bool RemoteProxy::IsDead() const { return connection_->dead(); }

int RemoteProxy::AddDeathRecipient(std::shared_ptr<DeathRecipient> recipient) {
  std::lock_guard lock(mutex_);
  // Checked under the lock NotifyDeath takes, so a recipient is either refused or notified.
  if (death_notified_ || connection_->dead()) return OH_IPC_INNER_ERROR;
  recipients_.push_back(std::move(recipient));
  return OH_IPC_SUCCESS;
}

int RemoteProxy::RemoveDeathRecipient(const DeathRecipient* recipient) {
  std::unique_lock lock(mutex_);
  // Once this returns the recipient's callback is not running and will not run, so its
  // userData may be freed: a death notification under way on another thread ends first (one
  // on this thread is the callback itself removing a recipient).
  notified_.wait(lock, [this] {
    return notifying_ == std::thread::id() || notifying_ == std::this_thread::get_id();
  });
  auto it = std::find_if(recipients_.begin(), recipients_.end(),
                         [recipient](const auto& entry) { return entry.get() == recipient; });
  // Dead but not yet notified: the recipient is taken out all the same, so it is never called.
  if (death_notified_ || connection_->dead()) {
    if (it != recipients_.end()) recipients_.erase(it);
    return OH_IPC_INNER_ERROR;
  }
  // OpenHarmony's IPCObjectProxy::RemoveDeathRecipient returns whether it erased one, so
  // removing a recipient that was never added is OH_IPC_INNER_ERROR.
  if (it == recipients_.end()) return OH_IPC_INNER_ERROR;
  recipients_.erase(it);
  return OH_IPC_SUCCESS;
}

}  // namespace ncp::ipc
