#include "ipc/remote_proxy.h"

#include <algorithm>

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
  }
  for (const auto& recipient : recipients) recipient->Notify();
}

int RemoteProxy::SendRequest(uint32_t code, const Parcel& data, Parcel* reply, bool one_way) {
  return connection_->Transact(handle_, code, data, reply, one_way);
}

int RemoteProxy::GetDescriptor(std::string* descriptor) {
  return connection_->FetchDescriptor(handle_, descriptor);
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
  std::lock_guard lock(mutex_);
  if (death_notified_ || connection_->dead()) return OH_IPC_INNER_ERROR;
  auto it = std::find_if(recipients_.begin(), recipients_.end(),
                         [recipient](const auto& entry) { return entry.get() == recipient; });
  if (it != recipients_.end()) recipients_.erase(it);
  return OH_IPC_SUCCESS;  // removing one never added succeeds, as in OpenHarmony
}

}  // namespace ncp::ipc
