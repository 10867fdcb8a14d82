// Connection's lifetime: the socket's set-up and the HELLO each side sends once, the users that
// keep it open, and its death (see connection.h).
#include "ipc/connection.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>

#include "base/log.h"
#include "ipc/remote_proxy.h"
#include "ipc/result_codes.h"

namespace ncp::ipc {
namespace {

constexpr size_t kLargestPacket = 128 * 1024;
constexpr size_t kSmallestPacket = 4096;

// The kernel refuses a datagram larger than the send buffer, so frames are cut to fit it.
size_t PacketLimit(int socket) {
  int sndbuf = 0;
  socklen_t len = sizeof(sndbuf);
  if (::getsockopt(socket, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) != 0 || sndbuf <= 0) {
    return kSmallestPacket;
  }
  return std::clamp(static_cast<size_t>(sndbuf) / 2, kSmallestPacket, kLargestPacket);
}

}  // namespace

Connection::Connection(base::UniqueFd socket, size_t max_packet)
    : socket_(std::move(socket)), max_packet_(max_packet) {}

Connection::~Connection() = default;

base::StatusOr<std::shared_ptr<Connection>> Connection::Start(base::UniqueFd socket,
                                                              std::shared_ptr<Stub> root,
                                                              bool announce) {
  int type = 0;
  socklen_t len = sizeof(type);
  if (::getsockopt(socket.get(), SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    return base::ErrnoError("ipc connection fd is not a socket");
  }
  if (type != SOCK_SEQPACKET) {
    return base::Error(base::Code::kInvalidArgument, "ipc connection fd is not SOCK_SEQPACKET");
  }
  if (::fcntl(socket.get(), F_SETFD, FD_CLOEXEC) != 0) return base::ErrnoError("FD_CLOEXEC");
  // A socketpair's SO_PEERCRED names its creator, not the process at the other end, so the peer
  // proves who it is with SCM_CREDENTIALS on its HELLO; the kernel checks them.
  int on = 1;
  if (::setsockopt(socket.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0) {
    return base::ErrnoError("SO_PASSCRED");
  }
  size_t max_packet = PacketLimit(socket.get());
  std::shared_ptr<Connection> connection(new Connection(std::move(socket), max_packet));
  connection->users_ = 1;
  {
    std::lock_guard lock(connection->mutex_);
    if (root != nullptr) connection->hello_target_ = connection->ExportLocked(root);
    if (!connection->StartIoThreadLocked()) {
      return base::Error(base::Code::kResourceExhausted, "cannot start the ipc io thread");
    }
  }
  if (!announce) return connection;
  // The HELLO goes last, once nothing here can fail any more: for an IPC-type child it is what
  // fires the parent's started-callback.
  base::Status sent = connection->Announce();
  if (!sent.ok()) {
    connection->MarkDead(sent);  // ends the io thread, which holds the last reference
    return sent;
  }
  return connection;
}

base::Status Connection::Announce() {
  FrameHeader hello;
  hello.type = static_cast<uint16_t>(FrameType::kHello);
  {
    std::lock_guard lock(mutex_);
    if (announced_) return base::Error(base::Code::kInvalidArgument, "HELLO already sent");
    announced_ = true;
    hello.target = hello_target_;
  }
  base::Status sent;
  {
    std::lock_guard lock(send_mutex_);
    sent = SendFrame(socket_.get(), max_packet_, hello, {}, {}, {}, true);
  }
  // A peer that is already gone is reported through the reader, like any later death.
  if (!sent.ok() && sent.err() != EPIPE && sent.err() != ECONNRESET) return sent;
  return base::Status::Ok();
}

int Connection::WaitForPeer(int timeout_ms) {
  std::unique_lock lock(mutex_);
  auto ready = [this] { return hello_received_ || dead_; };
  if (timeout_ms < 0) {
    hello_arrived_.wait(lock, ready);
  } else if (!hello_arrived_.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready)) {
    return OH_IPC_INNER_ERROR;
  }
  return hello_received_ ? OH_IPC_SUCCESS : OH_IPC_DEAD_REMOTE_OBJECT;
}

void Connection::NotifyWhenPeerSettled(std::function<void()> settled) {
  {
    std::lock_guard lock(mutex_);
    if (!hello_received_ && !dead_) {
      on_peer_settled_ = std::move(settled);
      return;
    }
  }
  settled();
}

base::Status Connection::OnHello(const ReceivedFrame& frame) {
  if (frame.header.object_count != 0) {
    return base::Error(base::Code::kInvalidArgument, "HELLO with objects");
  }
  CallerIdentity peer{0, 0, false};
  if (frame.credentials && frame.credentials->pid > 0) {
    peer.pid = static_cast<uint64_t>(frame.credentials->pid);
    peer.uid = frame.credentials->uid;
  } else {
    ucred creds = {};
    socklen_t len = sizeof(creds);
    if (::getsockopt(socket_.get(), SOL_SOCKET, SO_PEERCRED, &creds, &len) == 0) {
      peer.pid = static_cast<uint64_t>(creds.pid);
      peer.uid = creds.uid;
    }
  }
  // Credentials were only needed once; stop the kernel attaching them to every packet.
  int off = 0;
  ::setsockopt(socket_.get(), SOL_SOCKET, SO_PASSCRED, &off, sizeof(off));
  std::shared_ptr<RemoteProxy> root;
  if (frame.header.target != 0) root = Import(frame.header.target);
  std::function<void()> settled;
  {
    std::lock_guard lock(mutex_);
    peer_ = peer;
    hello_received_ = true;
    if (!handle_released_) std::swap(root, peer_root_);
    settled.swap(on_peer_settled_);
  }
  hello_arrived_.notify_all();
  if (settled) settled();
  return base::Status::Ok();  // `root`, if nobody wants it, is released here
}

std::shared_ptr<RemoteObject> Connection::PeerRoot() {
  std::lock_guard lock(mutex_);
  return peer_root_;
}

CallerIdentity Connection::peer() const {
  std::lock_guard lock(mutex_);
  return peer_;
}

void Connection::AddUser() {
  std::lock_guard lock(mutex_);
  ++users_;
}

void Connection::DropUser() {
  {
    std::lock_guard lock(mutex_);
    --users_;
  }
  ShutdownIfUnused();
}

void Connection::ReleaseHandle() {
  std::shared_ptr<RemoteProxy> root;
  {
    std::lock_guard lock(mutex_);
    handle_released_ = true;
    root = std::move(peer_root_);
  }
  root.reset();
  DropUser();
}

// Nobody here can reach the peer's objects and the peer holds none of ours: closing tells the
// peer (its proxies die) and ends the reader, which frees the connection.
void Connection::ShutdownIfUnused() {
  std::lock_guard lock(mutex_);
  if (users_ > 0 || !exports_.empty() || shut_down_) return;
  shut_down_ = true;
  ::shutdown(socket_.get(), SHUT_RDWR);
}

void Connection::MarkDead(const base::Status& why) {
  std::unordered_map<uint32_t, Export> exports;
  std::vector<std::shared_ptr<RemoteProxy>> proxies;
  std::function<void()> settled;
  {
    std::lock_guard lock(mutex_);
    if (dead_) return;
    if (why.code() != base::Code::kUnavailable && !shut_down_) {
      base::LogLine("ipc: closing connection: %s", why.ToString().c_str());
    }
    dead_ = true;
    for (auto& [id, call] : pending_) {
      call->status = OH_IPC_DEAD_REMOTE_OBJECT;
      call->done = true;
      call->wake.notify_one();
    }
    pending_.clear();
    exports.swap(exports_);
    export_handles_.clear();
    for (auto& [handle, weak] : imports_) {
      if (auto proxy = weak.lock()) proxies.push_back(std::move(proxy));
    }
    shut_down_ = true;
    token_free_.notify_all();
    spare_wake_.notify_all();
    standby_wake_.notify_all();
    hello_arrived_.notify_all();
    settled.swap(on_peer_settled_);
  }
  ::shutdown(socket_.get(), SHUT_RDWR);
  if (settled) settled();
  for (const auto& proxy : proxies) proxy->NotifyDeath();
  proxies.clear();
  exports.clear();
}

}  // namespace ncp::ipc
