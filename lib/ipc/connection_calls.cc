// Connection's outgoing side: sending frames, and synchronous calls matched with their replies
// (a caller reads the socket itself while nobody else does: see connection.h).
#include <sys/socket.h>

#include <chrono>
#include <vector>

#include "ipc/connection.h"
#include "ipc/remote_proxy.h"
#include "ipc/result_codes.h"

namespace ncp::ipc {
namespace {

bool IsTransportFailure(const base::Status& status) {
  return status.code() != base::Code::kResourceExhausted;
}

}  // namespace

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

}  // namespace ncp::ipc
