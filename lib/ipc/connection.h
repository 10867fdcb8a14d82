// Connection: one end of the AF_UNIX SOCK_SEQPACKET socket between two processes.
//
// It owns the socket, the export table (our stubs the peer may call, by handle, with how many
// references the peer holds) and the import table (one RemoteProxy per peer handle).
//
// Receiving is designed for the round trip's latency: only one thread at a time holds the
// "receive token" (the right to call recvmsg, for a whole frame):
//   - a synchronous caller, after sending, takes the token if it is free and reads the socket
//     itself, so its reply reaches it without a thread hand-off; a reply for another caller is
//     handed to that caller, a request is queued on the WorkerPool;
//   - the connection's io threads (leader/follower): one "listener" waits with poll() without
//     holding the token (and stays off the socket while synchronous callers are in flight and
//     for kListenerBackoff after, since they read it themselves), takes the token when a packet
//     is there and runs the request itself, so the thread that read a request answers it with no
//     hand-off. A "standby" io thread takes over listening when the listener has been busy with
//     one request for kTakeover, so long callbacks still run concurrently and a callback that
//     waits for another request cannot starve it; waking the standby on every request instead
//     would cost each round trip a thread wake-up. Io threads beyond those two are started only
//     when more requests run at once, up to the worker-thread maximum.
//
// Lifetime: io threads hold a strong reference and are detached; they end when the connection
// dies: the socket hangs up, the peer breaks the protocol, or this side shuts the socket down
// because nobody can use the connection any more — no private handle, no RemoteProxy, no
// exported stub. Death is final: pending calls fail with OH_IPC_DEAD_REMOTE_OBJECT, every live
// proxy's death recipients run once (on an io thread), and exported stubs are released.
//
// The code, one job a file: connection.cc (set-up, HELLO, users, death), connection_calls.cc
// (sending, calls and their replies), connection_io_threads.cc (the receive token, reading a
// frame, the io threads' roles), connection_requests.cc (running incoming requests, Drain),
// connection_objects.cc (the export and import tables, a parcel's objects on the wire).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "IPCKit/ipc_error_code.h"
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
  // starts the first io thread and sends HELLO (unless `announce` is false: then Announce()
  // sends it later). The returned reference counts as one user.
  static base::StatusOr<std::shared_ptr<Connection>> Start(base::UniqueFd socket,
                                                           std::shared_ptr<Stub> root,
                                                           bool announce = true);
  // Sends the HELLO a Start(..., false) held back; once only. A peer already gone is not an
  // error (the reader reports it, like any later death).
  base::Status Announce();
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Waits for the peer's HELLO: OH_IPC_SUCCESS, OH_IPC_DEAD_REMOTE_OBJECT if it hung up first,
  // OH_IPC_INNER_ERROR on timeout (timeout_ms < 0 waits forever).
  int WaitForPeer(int timeout_ms);
  // The peer's root object (a RemoteProxy), or null if it offered none.
  std::shared_ptr<RemoteObject> PeerRoot();
  // Calls `settled` once, as soon as WaitForPeer would no longer block (the HELLO arrived or the
  // connection died): at once on this thread if that is already so, else on an io thread.
  // `settled` must not block. A later registration replaces one that has not run yet.
  void NotifyWhenPeerSettled(std::function<void()> settled);
  CallerIdentity peer() const;
  bool dead() const { return dead_; }

  // For a process about to end (an IPC-type child whose MainProc returned): waits until every
  // request this side has read has been answered (its handler returned and the reply is sent),
  // and nothing more is waiting on the socket unread, or until `grace` has passed, or the
  // connection died. Requests keep being served meanwhile. True when drained, false on timeout.
  bool Drain(std::chrono::milliseconds grace);

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
  // A synchronous call waiting for its reply (connection_calls.cc).
  struct PendingCall {
    std::condition_variable wake;  // the reply arrived, or the receive token became free
    bool done = false;
    bool waiting = false;
    int status = OH_IPC_INNER_ERROR;
    Parcel reply;
  };
  struct Export {
    std::shared_ptr<Stub> stub;
    uint64_t peer_references = 0;
  };
  struct IncomingRequest {
    std::shared_ptr<Stub> stub;
    uint64_t id = 0;
    uint32_t code = 0;
    bool one_way = false;
    Parcel data;
  };

  Connection(base::UniqueFd socket, size_t max_packet);

  // Receiving, with the token held: reads one frame and handles it, except a request, which is
  // returned for the caller to run or queue. *would_block: nonblocking and nothing was there.
  base::Status ReceiveOne(bool nonblocking, std::optional<IncomingRequest>* request,
                          bool* would_block);
  void ReleaseTokenLocked();
  void IoThreadMain();
  bool StartIoThreadLocked();
  // With the listener role: listens, then runs the request read. False once dead.
  bool ListenAndServe(std::unique_lock<std::mutex>& lock);
  // With the standby role: true when the listener was busy long enough to take over.
  bool StandBy(std::unique_lock<std::mutex>& lock);
  // Waits for a request to run on this thread; nothing once dead.
  std::optional<IncomingRequest> Listen();
  void Queue(IncomingRequest request);
  void Serve(IncomingRequest& request);
  // Every request read is counted until it has been served (or refused): Drain waits for zero.
  void RequestDone();

  base::Status OnHello(const ReceivedFrame& frame);
  base::Status OnReply(ReceivedFrame& frame);
  base::Status OnRelease(const ReceivedFrame& frame);
  base::StatusOr<IncomingRequest> OnRequest(ReceivedFrame& frame);
  void MarkDead(const base::Status& why);
  void ShutdownIfUnused();

  // Turns a received object table into parcel objects: imports peer handles, resolves our own.
  base::StatusOr<Parcel> BuildParcel(ReceivedFrame& frame);
  std::shared_ptr<RemoteProxy> Import(uint32_t handle);
  // Gives a parcel's objects wire form; exports stubs. Fails for a proxy of another connection.
  int EncodeObjects(const Parcel& parcel, std::vector<WireObject>* objects, std::vector<int>* fds);
  uint32_t ExportLocked(const std::shared_ptr<Stub>& stub);
  int Send(const FrameHeader& header, const Parcel* parcel);

  const base::UniqueFd socket_;
  const size_t max_packet_;
  std::atomic<bool> dead_ = false;  // read without the lock by proxies
  std::mutex send_mutex_;           // one frame (all its packets) at a time

  // Only the token holder touches these.
  FrameReader reader_;
  ReceivedFrame frame_;

  mutable std::mutex mutex_;  // everything below
  bool receiving_ = false;    // the receive token is taken
  bool listener_present_ = false;
  uint64_t listener_generation_ = 0;  // changes when the standby takes the role over
  bool listener_handling_ = false;
  std::chrono::steady_clock::time_point handling_started_;
  std::chrono::steady_clock::time_point last_request_;
  bool standby_present_ = false;
  bool standby_asleep_ = false;  // waiting without a timeout: the listener must wake it
  std::condition_variable standby_wake_;
  // Synchronous callers in flight, and when the last one finished: the listener stays off the
  // socket meanwhile (callers read it), so it neither competes for replies nor wakes per packet.
  int active_callers_ = 0;
  std::chrono::steady_clock::time_point last_caller_done_;
  int spare_io_threads_ = 0;
  int io_threads_ = 0;
  std::condition_variable token_free_;  // the listener waits here (death wakes it)
  std::condition_variable spare_wake_;  // spare io threads wait here for a role
  std::condition_variable hello_arrived_;
  int requests_in_flight_ = 0;  // read from the socket, reply not sent yet
  bool draining_ = false;       // Drain is waiting: RequestDone wakes it
  std::condition_variable drained_;
  bool hello_received_ = false;
  uint32_t hello_target_ = 0;  // our root's handle, offered in our HELLO
  bool announced_ = false;
  std::function<void()> on_peer_settled_;  // NotifyWhenPeerSettled's, until it has run
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
