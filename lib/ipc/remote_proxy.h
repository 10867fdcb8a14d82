// RemoteProxy: an object that lives in the peer process, named by a handle in the peer's export
// table. One RemoteProxy exists per (connection, handle) at a time; every C wrapper for it
// shares it. It counts how many times the peer handed the handle over and gives all of those
// references back (one RELEASE frame) when it is destroyed, so the peer can drop its stub.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ipc/remote_object.h"

namespace ncp::ipc {

class Connection;

class RemoteProxy final : public RemoteObject {
 public:
  RemoteProxy(std::shared_ptr<Connection> connection, uint32_t handle);
  ~RemoteProxy() override;

  uint32_t handle() const { return handle_; }
  const Connection* connection() const { return connection_.get(); }
  // One more reference received from the peer (the handle arrived in another frame).
  void AddPeerReference();
  // Called once by the connection when the peer is gone: runs each recipient's callback once.
  void NotifyDeath();

  bool IsProxy() const override { return true; }
  int SendRequest(uint32_t code, const Parcel& data, Parcel* reply, bool one_way) override;
  int GetDescriptor(std::string* descriptor) override;
  bool IsDead() const override;
  int AddDeathRecipient(std::shared_ptr<DeathRecipient> recipient) override;
  int RemoveDeathRecipient(const DeathRecipient* recipient) override;

 private:
  const std::shared_ptr<Connection> connection_;
  const uint32_t handle_;
  std::mutex mutex_;
  std::condition_variable notified_;  // a death notification ended
  std::thread::id notifying_;         // guarded by mutex_; the thread notifying deaths, if any
  uint32_t peer_references_ = 1;      // guarded by mutex_
  bool death_notified_ = false;       // guarded by mutex_
  std::vector<std::shared_ptr<DeathRecipient>> recipients_;  // guarded by mutex_
  std::optional<std::string> descriptor_;                    // guarded by mutex_; once fetched
};

}  // namespace ncp::ipc
