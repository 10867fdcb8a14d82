// Connection: one end of the AF_UNIX SOCK_SEQPACKET socket between two processes.
//
// It owns the socket, a reader thread, the export table (our stubs the peer may call, by
// handle, with how many references the peer holds) and the import table (one RemoteProxy per
// peer handle). Requests that arrive run on the process-wide WorkerPool; a synchronous caller
// waits on its own condition variable until the reader matches the reply by request id.
//
// Lifetime: the reader thread holds a strong reference and is detached; it ends when the socket
// hangs up, when the peer breaks the protocol, or when this side shuts the socket down, which
// happens once nobody can use the connection any more — no private handle, no RemoteProxy,
// no exported stub. Death (any of those ends) is final: pending calls fail with
// OH_IPC_DEAD_REMOTE_OBJECT, every live proxy's death recipients run once (on the reader
// thread), and exported stubs are released.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "base/unique_fd.h"
#include "ipc/calling_context.h"
#include "ipc/parcel.h"
#include "ipc/remote_object.h"
#include "ipc/wire.h"

namespace ncp::ipc {

class RemoteProxy;

// Internal request code for "what is your descriptor": outside the [1, 0xffffff] user range,
// so an application can never send or receive it.
inline constexpr uint32_t kInterfaceDescriptorCode = 0x5f4e5446;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // Takes `socket` (a connected SOCK_SEQPACKET end), offers `root` to the peer (may be null),
  // sends HELLO and starts the reader. The returned reference counts as one user.
  static base::StatusOr<std::shared_ptr<Connection>> Start(base::UniqueFd socket,
                                                           std::shared_ptr<Stub> root);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Waits for the peer's HELLO: OH_IPC_SUCCESS, OH_IPC_DEAD_REMOTE_OBJECT if it hung up first,
  // OH_IPC_INNER_ERROR on timeout (timeout_ms < 0 waits forever).
  int WaitForPeer(int timeout_ms);
  // The peer's root object (a RemoteProxy), or null if it offered none or is gone.
  std::shared_ptr<RemoteObject> PeerRoot();
  CallerIdentity peer() const;
  bool dead() const;

  // Users keep the connection open: private handles and RemoteProxy objects.
  void AddUser();
  void DropUser();
  // The private handle is going away: also forget the root proxy kept for it.
  void ReleaseHandle();

  // Used by RemoteProxy.
  int Transact(uint32_t handle, uint32_t code, const Parcel& data, Parcel* reply, bool one_way);
  int FetchDescriptor(uint32_t handle, std::string* descriptor);
  void ReleaseImport(uint32_t handle, uint32_t references);

 private:
  struct PendingCall;
  struct Export {
    std::shared_ptr<Stub> stub;
    uint64_t peer_references = 0;
  };

  Connection(base::UniqueFd socket, size_t max_packet);

  void ReadLoop();
  base::Status Dispatch(ReceivedFrame& frame);
  base::Status OnHello(const ReceivedFrame& frame);
  base::Status OnRequest(ReceivedFrame& frame);
  base::Status OnReply(ReceivedFrame& frame);
  base::Status OnRelease(const ReceivedFrame& frame);
  void Serve(std::shared_ptr<Stub> stub, uint64_t id, uint32_t code, bool one_way, Parcel data);
  void MarkDead();
  void ShutdownIfUnused();

  // Turns a received object table into parcel objects: imports peer handles, resolves our own.
  base::StatusOr<Parcel> BuildParcel(ReceivedFrame& frame);
  std::shared_ptr<RemoteProxy> Import(uint32_t handle);
  // Gives a parcel's objects wire form; exports stubs. Fails for a proxy of another connection.
  int EncodeObjects(const Parcel& parcel, std::vector<WireObject>* objects, std::vector<int>* fds);
  uint32_t ExportLocked(const std::shared_ptr<Stub>& stub);
  int Send(const FrameHeader& header, const Parcel* parcel);

  const base::UniqueFd socket_;
  std::atomic<bool> dead_ = false;  // read without the lock by IsDead and proxies
  const size_t max_packet_;
  std::mutex send_mutex_;  // one frame (all its packets) at a time

  mutable std::mutex mutex_;  // everything below
  std::condition_variable hello_arrived_;
  bool hello_received_ = false;
  bool shut_down_ = false;
  bool handle_released_ = false;
  int users_ = 0;
  CallerIdentity peer_;
  std::shared_ptr<RemoteProxy> peer_root_;
  uint64_t next_request_id_ = 1;
  std::unordered_map<uint64_t, PendingCall*> pending_;
  uint32_t next_handle_ = 1;
  std::unordered_map<uint32_t, Export> exports_;
  std::map<const Stub*, uint32_t> export_handles_;
  std::unordered_map<uint32_t, std::weak_ptr<RemoteProxy>> imports_;
};

}  // namespace ncp::ipc
