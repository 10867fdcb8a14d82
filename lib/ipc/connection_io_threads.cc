// Connection's receiving: the receive token, reading and routing one frame, and the io threads'
// listener, standby and spare roles (see connection.h).
#include <cxxabi.h>
#include <poll.h>

#include <chrono>
#include <thread>

#include "ipc/connection.h"
#include "ipc/worker_pool.h"

namespace ncp::ipc {
namespace {

// How long a request may keep the listener busy before the standby listens in its place.
constexpr auto kTakeover = std::chrono::milliseconds(1);
// After this long without requests the standby stops its periodic checks.
constexpr auto kStandbyIdle = std::chrono::milliseconds(100);
// How long the listener stays off the socket after the last synchronous caller: an incoming
// request or a hang-up is noticed at most this late while this side is busy calling out.
constexpr auto kListenerBackoff = std::chrono::milliseconds(1);

}  // namespace

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
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
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

}  // namespace ncp::ipc
