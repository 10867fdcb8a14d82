// Connection's incoming requests: checking one, running it (on the thread that read it or on the
// WorkerPool) and sending its reply, and Drain, which waits until every request read is answered.
#include <cxxabi.h>
#include <poll.h>

#include <chrono>

#include "ipc/connection.h"
#include "ipc/result_codes.h"
#include "ipc/worker_pool.h"

namespace ncp::ipc {

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
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
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

}  // namespace ncp::ipc
