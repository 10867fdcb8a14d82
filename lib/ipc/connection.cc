#include "ipc/connection.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "base/log.h"
#include "ipc/remote_proxy.h"
#include "ipc/result_codes.h"
#include "ipc/worker_pool.h"

namespace ncp::ipc {

struct Connection::PendingCall {
  std::condition_variable wake;  // the reply arrived, or the receive token became free
  bool done = false;
  bool waiting = false;
  int status = OH_IPC_INNER_ERROR;
  Parcel reply;
};

namespace {

constexpr size_t kLargestPacket = 128 * 1024;
// How long a request may keep the listener busy before the standby listens in its place.
constexpr auto kTakeover = std::chrono::milliseconds(1);
// After this long without requests the standby stops its periodic checks.
constexpr auto kStandbyIdle = std::chrono::milliseconds(100);
// How long the listener stays off the socket after the last synchronous caller: an incoming
// request or a hang-up is noticed at most this late while this side is busy calling out.
constexpr auto kListenerBackoff = std::chrono::milliseconds(1);
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

bool IsTransportFailure(const base::Status& status) {
  return status.code() != base::Code::kResourceExhausted;
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

uint32_t Connection::ExportLocked(const std::shared_ptr<Stub>& stub) {
  auto known = export_handles_.find(stub.get());
  if (known != export_handles_.end()) {
    ++exports_[known->second].peer_references;
    return known->second;
  }
  uint32_t handle = next_handle_++;
  if (next_handle_ == 0) next_handle_ = 1;  // handle 0 means "none" on the wire
  exports_[handle] = Export{stub, 1};
  export_handles_[stub.get()] = handle;
  return handle;
}

int Connection::EncodeObjects(const Parcel& parcel, std::vector<WireObject>* objects,
                              std::vector<int>* fds) {
  size_t fd_count = 0;
  for (const ParcelObject& object : parcel.objects()) {
    if (object.fd.valid()) {
      ++fd_count;
    } else if (object.object->IsProxy() &&
               static_cast<const RemoteProxy*>(object.object.get())->connection() != this) {
      return OH_IPC_PARCEL_WRITE_ERROR;  // objects of a third process cannot be forwarded
    }
  }
  if (fd_count > kMaxFdsPerFrame) return OH_IPC_PARCEL_WRITE_ERROR;
  objects->reserve(parcel.objects().size());
  std::lock_guard lock(mutex_);
  for (const ParcelObject& object : parcel.objects()) {
    WireObject wire;
    wire.offset = object.offset;
    if (object.fd.valid()) {
      wire.kind = static_cast<uint16_t>(WireObjectKind::kFd);
      wire.value = static_cast<uint32_t>(fds->size());
      fds->push_back(object.fd.get());
    } else if (object.object->IsProxy()) {
      wire.kind = static_cast<uint16_t>(WireObjectKind::kReceiverObject);
      wire.value = static_cast<const RemoteProxy*>(object.object.get())->handle();
    } else {
      wire.kind = static_cast<uint16_t>(WireObjectKind::kSenderObject);
      wire.value = ExportLocked(std::static_pointer_cast<Stub>(object.object));
    }
    objects->push_back(wire);
  }
  return OH_IPC_SUCCESS;
}

int Connection::Send(const FrameHeader& header_in, const Parcel* parcel) {
  FrameHeader header = header_in;
  std::vector<WireObject> objects;
  std::vector<int> fds;
  std::span<const uint8_t> data;
  if (parcel != nullptr) {
    if (!parcel->objects().empty()) {
      int encoded = EncodeObjects(*parcel, &objects, &fds);
      if (encoded != OH_IPC_SUCCESS) return encoded;
    }
    data = std::span(parcel->data(), parcel->data_size());
    header.data_size = static_cast<uint32_t>(parcel->data_size());
    header.object_count = static_cast<uint32_t>(objects.size());
    header.fd_count = static_cast<uint32_t>(fds.size());
  }
  base::Status sent;
  {
    std::lock_guard lock(send_mutex_);
    sent = SendFrame(socket_.get(), max_packet_, header, data, objects, fds, false);
  }
  if (sent.ok()) return OH_IPC_SUCCESS;
  if (!IsTransportFailure(sent)) return OH_IPC_PARCEL_WRITE_ERROR;
  // A frame may be half sent: the stream cannot be trusted any more.
  ::shutdown(socket_.get(), SHUT_RDWR);
  return OH_IPC_DEAD_REMOTE_OBJECT;
}

int Connection::Transact(uint32_t handle, uint32_t code, const Parcel& data, Parcel* reply,
                         bool one_way) {
  PendingCall call;
  FrameHeader header;
  header.type = static_cast<uint16_t>(FrameType::kRequest);
  header.target = handle;
  header.code = code;
  header.flags = one_way ? kFlagOneWay : 0;
  {
    std::lock_guard lock(mutex_);
    if (dead_) return OH_IPC_DEAD_REMOTE_OBJECT;
    if (!one_way) {
      header.id = next_request_id_++;
      pending_.emplace(header.id, &call);
      ++active_callers_;
    }
  }
  int sent = Send(header, &data);
  if (sent != OH_IPC_SUCCESS || one_way) {
    if (!one_way) {
      std::lock_guard lock(mutex_);
      pending_.erase(header.id);
      --active_callers_;
      last_caller_done_ = std::chrono::steady_clock::now();
    }
    return sent;
  }
  {
    std::unique_lock lock(mutex_);
    while (!call.done) {
      if (receiving_) {
        call.waiting = true;
        call.wake.wait(lock);
        call.waiting = false;
        continue;
      }
      // Read the socket ourselves: our reply then needs no hand-off between threads.
      receiving_ = true;
      lock.unlock();
      std::optional<IncomingRequest> request;
      bool would_block = false;
      base::Status status = ReceiveOne(false, &request, &would_block);
      if (request) Queue(std::move(*request));
      lock.lock();
      ReleaseTokenLocked();
      if (!status.ok()) {
        lock.unlock();
        MarkDead(status);
        lock.lock();
      }
    }
    --active_callers_;
    last_caller_done_ = std::chrono::steady_clock::now();
  }
  // Outside the lock: the old reply contents may hold proxies whose release takes it.
  *reply = std::move(call.reply);
  return MapProxyResult(call.status);
}

int Connection::FetchDescriptor(uint32_t handle, std::string* descriptor) {
  Parcel empty;
  Parcel reply;
  int result = Transact(handle, kInterfaceDescriptorCode, empty, &reply, false);
  if (result != OH_IPC_SUCCESS) return result;
  const char* text = reply.ReadCString();
  if (text == nullptr) return OH_IPC_PARCEL_READ_ERROR;
  *descriptor = text;
  return OH_IPC_SUCCESS;
}

void Connection::ReleaseImport(uint32_t handle, uint32_t references) {
  {
    std::lock_guard lock(mutex_);
    auto it = imports_.find(handle);
    if (it != imports_.end() && it->second.expired()) imports_.erase(it);
    if (dead_ || shut_down_) return;
  }
  FrameHeader header;
  header.type = static_cast<uint16_t>(FrameType::kRelease);
  header.target = handle;
  header.code = references;
  Send(header, nullptr);
}

void Connection::ReleaseTokenLocked() {
  receiving_ = false;
  // Prefer a waiting caller: it will read its own reply.
  for (auto& [id, call] : pending_) {
    if (call->waiting) {
      call->wake.notify_one();
      break;
    }
  }
}

base::Status Connection::ReceiveOne(bool nonblocking, std::optional<IncomingRequest>* request,
                                    bool* would_block) {
  NCP_RETURN_IF_ERROR(reader_.Read(socket_.get(), &frame_, nonblocking, would_block));
  if (*would_block) return base::Status::Ok();
  auto type = static_cast<FrameType>(frame_.header.type);
  bool hello_done;
  {
    std::lock_guard lock(mutex_);
    hello_done = hello_received_;
  }
  if (type == FrameType::kHello) {
    if (hello_done) return base::Error(base::Code::kInvalidArgument, "second HELLO");
    return OnHello(frame_);
  }
  if (!hello_done) return base::Error(base::Code::kInvalidArgument, "frame before HELLO");
  switch (type) {
    case FrameType::kRequest: {
      base::StatusOr<IncomingRequest> incoming = OnRequest(frame_);
      if (!incoming.ok()) return incoming.status();
      request->emplace(std::move(incoming).value());
      // Counted while the receive token is still held, so Drain never sees a request that has
      // left the socket but is not counted yet.
      std::lock_guard lock(mutex_);
      ++requests_in_flight_;
      return base::Status::Ok();
    }
    case FrameType::kReply:
      return OnReply(frame_);
    case FrameType::kRelease:
      return OnRelease(frame_);
    default:
      return base::Error(base::Code::kInvalidArgument, "unknown frame");
  }
}

bool Connection::StartIoThreadLocked() {
  ++io_threads_;
  try {
    std::thread([self = shared_from_this()] { self->IoThreadMain(); }).detach();
    return true;
  } catch (const std::system_error&) {
    --io_threads_;
    return false;
  }
}

void Connection::IoThreadMain() {
  try {
    std::unique_lock lock(mutex_);
    while (!dead_) {
      if (!listener_present_) {
        listener_present_ = true;
        if (!ListenAndServe(lock)) break;
      } else if (!standby_present_) {
        standby_present_ = true;
        bool took_over = StandBy(lock);
        standby_present_ = false;
        if (took_over && !ListenAndServe(lock)) break;
      } else {
        ++spare_io_threads_;
        spare_wake_.wait(lock);
        --spare_io_threads_;
      }
    }
  } catch (...) {
    MarkDead(base::Error(base::Code::kInternal, "internal error in an io thread"));
  }
  std::lock_guard lock(mutex_);
  --io_threads_;
}

bool Connection::ListenAndServe(std::unique_lock<std::mutex>& lock) {
  uint64_t generation = ++listener_generation_;
  listener_handling_ = false;
  lock.unlock();
  std::optional<IncomingRequest> request = Listen();
  lock.lock();
  if (!request) return false;
  listener_handling_ = true;
  handling_started_ = last_request_ = std::chrono::steady_clock::now();
  // Someone must be ready to take over if this request runs long.
  if (standby_asleep_) {
    standby_wake_.notify_one();
  } else if (!standby_present_) {
    if (spare_io_threads_ > 0) {
      spare_wake_.notify_one();
    } else if (io_threads_ < WorkerPool::Instance().max_threads()) {
      StartIoThreadLocked();
    }
  }
  lock.unlock();
  Serve(*request);
  request.reset();  // its parcel may hold proxies whose release takes the lock
  lock.lock();
  if (listener_generation_ == generation) {  // nobody took over: listen again
    listener_present_ = false;
    listener_handling_ = false;
  }
  return true;
}

bool Connection::StandBy(std::unique_lock<std::mutex>& lock) {
  while (!dead_) {
    auto now = std::chrono::steady_clock::now();
    if (listener_handling_) {
      auto busy = now - handling_started_;
      if (busy >= kTakeover) return true;
      standby_wake_.wait_for(lock, kTakeover - busy);
    } else if (now - last_request_ < kStandbyIdle) {
      standby_wake_.wait_for(lock, kTakeover);
    } else {
      // Quiet connection: no periodic checks; the listener wakes us with its next request.
      standby_asleep_ = true;
      standby_wake_.wait(lock);
      standby_asleep_ = false;
    }
  }
  return false;
}

std::optional<Connection::IncomingRequest> Connection::Listen() {
  while (true) {
    {
      // Callers in flight read the socket themselves; the listener checks back periodically
      // rather than being woken by every caller (that wake-up would cost each round trip).
      std::unique_lock lock(mutex_);
      while (!dead_) {
        auto idle = std::chrono::steady_clock::now() - last_caller_done_;
        if (!receiving_ && active_callers_ == 0 && idle >= kListenerBackoff) break;
        token_free_.wait_for(lock, kListenerBackoff);
      }
      if (dead_) return std::nullopt;
    }
    // Wait for data without the token, so a synchronous caller can take it and read its reply.
    pollfd ready = {socket_.get(), POLLIN, 0};
    while (::poll(&ready, 1, -1) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard lock(mutex_);
      if (dead_) return std::nullopt;
      if (receiving_) continue;  // a caller is reading; wait for it to finish
      receiving_ = true;
    }
    std::optional<IncomingRequest> request;
    bool would_block = false;
    base::Status status = ReceiveOne(true, &request, &would_block);
    {
      std::lock_guard lock(mutex_);
      ReleaseTokenLocked();
    }
    if (!status.ok()) {
      MarkDead(status);
      return std::nullopt;
    }
    if (request) return request;
  }
}

void Connection::Queue(IncomingRequest request) {
  auto queued = std::make_shared<IncomingRequest>(std::move(request));
  bool accepted =
      WorkerPool::Instance().Submit([self = shared_from_this(), queued] { self->Serve(*queued); });
  if (accepted) return;
  if (!queued->one_way) {
    FrameHeader reply;
    reply.type = static_cast<uint16_t>(FrameType::kReply);
    reply.id = queued->id;
    reply.code = static_cast<uint32_t>(OH_IPC_INNER_ERROR);
    Send(reply, nullptr);
  }
  RequestDone();
}

void Connection::RequestDone() {
  std::lock_guard lock(mutex_);
  --requests_in_flight_;
  if (draining_) drained_.notify_all();
}

bool Connection::Drain(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  // While a request is unread on the socket the listener (or a caller) will read it soon; the
  // socket is checked again at this interval rather than waking Drain on every packet.
  constexpr auto kRecheck = std::chrono::milliseconds(1);
  std::unique_lock lock(mutex_);
  draining_ = true;
  bool drained = false;
  while (!dead_) {
    if (requests_in_flight_ == 0 && !receiving_) {
      pollfd unread = {socket_.get(), POLLIN, 0};
      if (::poll(&unread, 1, 0) == 0) {
        drained = true;
        break;
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    drained_.wait_for(lock,
                      std::min<std::chrono::steady_clock::duration>(deadline - now, kRecheck));
  }
  draining_ = false;
  // A dead connection can deliver nothing more: nothing left to wait for.
  return drained || dead_;
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

std::shared_ptr<RemoteProxy> Connection::Import(uint32_t handle) {
  {
    std::lock_guard lock(mutex_);
    auto it = imports_.find(handle);
    if (it != imports_.end()) {
      if (std::shared_ptr<RemoteProxy> live = it->second.lock()) {
        live->AddPeerReference();
        return live;
      }
    }
  }
  // Only the reader imports, so nobody else can create this handle's proxy meanwhile.
  auto proxy = std::make_shared<RemoteProxy>(shared_from_this(), handle);
  std::lock_guard lock(mutex_);
  imports_[handle] = proxy;
  return proxy;
}

base::StatusOr<Parcel> Connection::BuildParcel(ReceivedFrame& frame) {
  std::vector<ParcelObject> objects;
  objects.reserve(frame.objects.size());
  for (const WireObject& wire : frame.objects) {
    ParcelObject object;
    object.offset = wire.offset;
    switch (static_cast<WireObjectKind>(wire.kind)) {
      case WireObjectKind::kFd:
        object.fd = std::move(frame.fds[wire.value]);
        break;
      case WireObjectKind::kSenderObject:
        object.object = Import(wire.value);
        break;
      case WireObjectKind::kReceiverObject: {
        std::lock_guard lock(mutex_);
        auto it = exports_.find(wire.value);
        if (it == exports_.end()) {
          return base::Error(base::Code::kInvalidArgument, "unknown handle in a parcel");
        }
        object.object = it->second.stub;
        break;
      }
    }
    objects.push_back(std::move(object));
  }
  return Parcel::FromReceived(frame.data.data(), frame.data.size(), std::move(objects));
}

base::StatusOr<Connection::IncomingRequest> Connection::OnRequest(ReceivedFrame& frame) {
  const FrameHeader& header = frame.header;
  IncomingRequest request;
  request.one_way = (header.flags & kFlagOneWay) != 0;
  request.id = header.id;
  request.code = header.code;
  if (!request.one_way && header.id == 0) {
    return base::Error(base::Code::kInvalidArgument, "request id 0");
  }
  if (!IsUserRequestCode(header.code) && header.code != kInterfaceDescriptorCode) {
    return base::Error(base::Code::kInvalidArgument, "request code out of range");
  }
  {
    std::lock_guard lock(mutex_);
    auto it = exports_.find(header.target);
    if (it == exports_.end()) {
      return base::Error(base::Code::kInvalidArgument, "request for an unknown handle");
    }
    request.stub = it->second.stub;
  }
  base::StatusOr<Parcel> data = BuildParcel(frame);
  if (!data.ok()) return data.status();
  request.data = std::move(data).value();
  return request;
}

void Connection::Serve(IncomingRequest& request) {
  int status = OH_IPC_INNER_ERROR;
  Parcel reply;
  try {
    if (request.code == kInterfaceDescriptorCode) {
      status = reply.WriteCString(request.stub->descriptor()) ? OH_IPC_SUCCESS
                                                              : OH_IPC_PARCEL_WRITE_ERROR;
    } else {
      status = request.stub->Dispatch(request.code, request.data, &reply, peer());
    }
  } catch (...) {
    status = OH_IPC_INNER_ERROR;
  }
  if (request.one_way) {
    RequestDone();
    return;
  }
  FrameHeader header;
  header.type = static_cast<uint16_t>(FrameType::kReply);
  header.id = request.id;
  header.code = static_cast<uint32_t>(status);
  // A failed request carries no reply data (OpenHarmony: the reply is not usable then).
  int sent = Send(header, status == OH_IPC_SUCCESS ? &reply : nullptr);
  if (sent == OH_IPC_PARCEL_WRITE_ERROR) {
    header.code = static_cast<uint32_t>(OH_IPC_PARCEL_WRITE_ERROR);
    Send(header, nullptr);
  }
  RequestDone();
}

base::Status Connection::OnReply(ReceivedFrame& frame) {
  base::StatusOr<Parcel> reply = BuildParcel(frame);
  if (!reply.ok()) return reply.status();
  std::lock_guard lock(mutex_);
  auto it = pending_.find(frame.header.id);
  if (it == pending_.end()) {
    // Dropping `reply` below may release proxies, which takes mutex_: do it after unlocking.
    return base::Error(base::Code::kInvalidArgument, "reply to no pending request");
  }
  PendingCall* call = it->second;
  pending_.erase(it);
  call->reply = std::move(reply).value();
  call->status = static_cast<int>(frame.header.code);
  call->done = true;
  call->wake.notify_one();
  return base::Status::Ok();
}

base::Status Connection::OnRelease(const ReceivedFrame& frame) {
  if (frame.header.object_count != 0) {
    return base::Error(base::Code::kInvalidArgument, "RELEASE with objects");
  }
  std::shared_ptr<Stub> released;
  {
    std::lock_guard lock(mutex_);
    auto it = exports_.find(frame.header.target);
    if (it == exports_.end() || frame.header.code == 0 ||
        frame.header.code > it->second.peer_references) {
      return base::Error(base::Code::kInvalidArgument, "release of an unknown reference");
    }
    it->second.peer_references -= frame.header.code;
    if (it->second.peer_references == 0) {
      released = std::move(it->second.stub);
      export_handles_.erase(released.get());
      exports_.erase(it);
    }
  }
  released.reset();  // may run the stub's destroy callback: outside the lock
  ShutdownIfUnused();
  return base::Status::Ok();
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
