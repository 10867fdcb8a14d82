#include "core/app/child_registry.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "base/log.h"
#include "base/own_status_file.h"
#include "base/pidfd.h"
#include "base/process_generation.h"

namespace ncp::core {
namespace {

std::mutex g_instance_mu;
ChildRegistry* g_instance = nullptr;
uint64_t g_instance_owner = 0;  // the process g_instance serves (base/process_generation.h)

// A process made by fork() has none of the threads the registry relies on, and its children
// are not ours: it must start from a fresh registry. The old one is left behind (leaked), but
// not its fds: the fork server's socket and the warm children's channels speak for the
// parent's credentials, and the pidfds reach the parent's children; a forked process (one
// that drops privileges, say) must not be able to use them. The registry's lock is held
// across the fork, so that no other thread is changing what is closed. A warm start reads
// the caller's status file under that lock: the file's own fork handler is installed first,
// so a fork takes its lock after the registry's, as the warm start does.
void InstallForkHandlers() {
  base::InstallOwnStatusForkHandler();
  pthread_atfork(
      [] {
        g_instance_mu.lock();
        if (g_instance != nullptr) g_instance->LockForFork();
      },
      [] {
        if (g_instance != nullptr) g_instance->UnlockAfterFork();
        g_instance_mu.unlock();
      },
      [] {
        if (g_instance != nullptr) {
          g_instance->CloseFdsInForkedChild();
          g_instance->UnlockAfterFork();
        }
        g_instance = nullptr;
        g_instance_mu.unlock();
      });
}

// A child that died with the fork server (parent-death signal).
ExitRecord KilledRecord(pid_t pid) {
  ExitRecord record;
  record.pid = pid;
  record.signal = SIGKILL;
  record.cause = ExitCause::kSignal;
  return record;
}

// With a log callback set, the application's logger hears of a library child whose runtime
// could not run the entry: the child's own line about why went to the child's stderr.
void LogChildRuntimeFailure(const ExitRecord& record) {
  const char* why = nullptr;
  switch (record.exit_code) {
    case NCP_CHILD_EXIT_LIBRARY_NOT_LOADED:
      why = "its library could not be loaded";
      break;
    case NCP_CHILD_EXIT_SYMBOL_NOT_FOUND:
      why = "its entry function was not found";
      break;
    case NCP_CHILD_EXIT_BAD_REQUEST:
      why = "its launch request was malformed";
      break;
    case NCP_CHILD_EXIT_CONNECTION_FAILED:
      why = "its IPC connection failed";
      break;
    case NCP_CHILD_EXIT_SANDBOX_FAILED:
      why = "its sandbox could not be built";
      break;
    default:
      return;
  }
  base::LogAt(base::LogLevel::kError, "child %d ended with status %d: %s (details on its stderr)",
              static_cast<int>(record.pid), record.exit_code, why);
}

}  // namespace

ChildRegistry& ChildRegistry::Instance() {
  static std::once_flag fork_handlers;
  std::call_once(fork_handlers, InstallForkHandlers);
  std::lock_guard lock(g_instance_mu);
  const uint64_t self = base::ThisProcessGeneration();
  // A copy of the process that ran no fork handler (a raw clone: in a pid namespace of its own
  // it may even have its parent's pid) holds its parent's registry, with the parent's fork
  // server and prepared children, which serve the parent's credentials as they were. It gets
  // a registry of its own. The parent's is left as it is, fds and all: the copy may share the
  // parent's fd table (CLONE_FILES), or have reused the numbers, so closing them is not ours.
  if (g_instance == nullptr || g_instance_owner != self) {
    g_instance = new ChildRegistry();
    g_instance_owner = self;
  }
  return *g_instance;
}

ChildRegistry::ChildRegistry() {
  monitor_thread_ = StartSignalFreeThread([this] { MonitorLoop(); });
}

void ChildRegistry::LockForFork() { mu_.lock(); }
void ChildRegistry::UnlockAfterFork() { mu_.unlock(); }

void ChildRegistry::CloseFdsInForkedChild() {
  client_.CloseFdsInForkedChild();
  warm_children_.CloseFdsInForkedChild();
  for (auto& [pid, child] : children_) close(child.pidfd.release());
}

base::Status ChildRegistry::TakeSlotLocked(ChildKind kind) {
  if (live_ >= kMaxLiveChildren) {
    return base::Error(base::Code::kResourceExhausted, "512 child processes are alive");
  }
  if (kind == ChildKind::kIpc && live_ipc_ >= kMaxLiveIpcChildren) {
    return base::Error(base::Code::kResourceExhausted, "50 IPC-type child processes are alive");
  }
  ++live_;
  if (kind == ChildKind::kIpc) ++live_ipc_;
  return base::Status::Ok();
}

void ChildRegistry::ReleaseSlotLocked(ChildKind kind) {
  --live_;
  if (kind == ChildKind::kIpc) --live_ipc_;
}

base::Status ChildRegistry::ConfigureWarmPool(int size, int idle_timeout_ms) {
  std::lock_guard lock(mu_);
  bool sent = false;
  base::Status status = client_.ConfigureWarmPoolLocked(size, idle_timeout_ms, &sent);
  if (sent) warm_children_.OnConfigureSent();
  return status;
}

void ChildRegistry::RecordChildLocked(pid_t pid, base::UniqueFd pidfd, ChildKind kind,
                                      ExitHook on_exit, uint32_t start_flags) {
  children_[pid] =
      Child{std::move(pidfd), kind, false, std::move(on_exit), start_flags, next_serial_++};
  ended_.erase(pid);  // an earlier child's record under a recycled pid
}

bool ChildRegistry::HoldsWarmChildren() {
  std::lock_guard lock(mu_);
  return client_.TakesWarmChildren() && !warm_children_.empty();
}

namespace {

// Set when the calling thread's last warm start found its credentials not the server's (it
// dropped privileges, or holds what the server's exec cleared): its next start reads them
// before it sends anything, instead of taking a prepared child only to withdraw it.
thread_local bool t_credentials_differed = false;

}  // namespace

ChildRegistry::WarmStart ChildRegistry::StartWarm(ChildKind kind, const std::vector<int>& fds,
                                                  const std::string* inline_request,
                                                  ExitHook* on_exit, CallerSnapshot* caller) {
  WarmStart result;
  auto read_caller = [&] {
    result.error = CaptureCaller(caller);
    result.caller_read = result.error.ok();
    t_credentials_differed = result.caller_read && !warm_children_.CanServe(caller->credentials);
    return result.caller_read && !t_credentials_differed;
  };
  // Held from the send until the child is recorded, so that its end cannot be heard of first;
  // the caller's snapshot is read inside it (some 40 us with cold caches), on this way only.
  std::lock_guard lock(mu_);
  if (!client_.TakesWarmChildren() || warm_children_.empty()) return result;
  if (t_credentials_differed && !read_caller()) return result;  // Start's way, with them
  if (!TakeSlotLocked(kind).ok()) return result;  // Start's way says which limit
  std::optional<WarmChildren::Started> started = warm_children_.Start(inline_request, fds);
  if (!started) {
    ReleaseSlotLocked(kind);
    return result;  // none, or the fds could not be sent: Start's way says why
  }
  // Withdrawn unless it is let run, also when the read below throws (no memory; cancellation
  // is held off in every call): a child left waiting would hold the caller's fds for ever.
  struct Unserved {
    ChildRegistry* registry;
    ChildKind kind;
    const WarmChildren::Started* child;
    ~Unserved() {
      if (child == nullptr) return;
      WarmChildren::Withdraw(*child);
      registry->ReleaseSlotLocked(kind);
    }
  } unserved{this, kind, &*started};
  // A child whose go cannot be sent was let go meanwhile (or died): it never runs the request.
  if ((!result.caller_read && !read_caller()) || !WarmChildren::Go(*started, caller->umask)) {
    return result;  // its end is reported, and dropped: it was never recorded
  }
  unserved.child = nullptr;
  RecordChildLocked(started->pid, std::move(started->pidfd), kind, std::move(*on_exit),
                    inline_request != nullptr ? uint32_t{kStartInlineRequest} : 0u);
  client_.NoteWarmChildTakenLocked(started->id, started->pid, warm_children_.empty());
  result.pid = started->pid;
  return result;
}

base::StatusOr<pid_t> ChildRegistry::Start(ChildKind kind, const std::vector<int>& fds,
                                           ExitHook on_exit, const StartOptions& options) {
  const uint32_t start_flags = options.flags;
  // On the calling thread, first: it captures the caller's credentials.
  auto request = ForkServerClient::EncodeStart(options);
  if (!request.ok()) return request.status();
  uint32_t id = 0;
  base::UniqueFd socket;
  {
    std::lock_guard lock(mu_);
    NCP_RETURN_IF_ERROR(TakeSlotLocked(kind));
    base::Status running = client_.EnsureRunningLocked();
    // Our own reference to the socket: the monitor may close the client's if the server dies.
    auto dup = running.ok() ? client_.DupSocketLocked() : base::StatusOr<base::UniqueFd>(running);
    if (!dup.ok()) {
      ReleaseSlotLocked(kind);
      return dup.status();
    }
    socket = std::move(*dup);
    id = next_request_id_++;
    Pending& pending = pending_[id];
    pending.kind = kind;
    pending.on_exit = std::move(on_exit);
    pending.start_flags = start_flags;
  }
  // Sent without the lock: a full socket must not stop the monitor from draining replies.
  const bool sent = ForkServerClient::SendStart(socket.get(), id, **request, fds);
  const int send_errno = errno;
  std::unique_lock lock(mu_);
  Pending& pending = pending_[id];
  if (!sent && !pending.answered) {
    ReleaseSlotLocked(kind);
    AnswerLocked(id, base::ErrnoError("send a start request to the fork server", send_errno));
  }
  if (std::this_thread::get_id() == monitor_thread_) {
    // A start from an exit callback: this thread is the one that reads the answer, so it
    // reads the server's messages here until its own has come. Ends read meanwhile are
    // reported once the callback that called us has returned (Report).
    while (!pending.answered) {
      const int current = client_.CurrentSocketLocked();
      if (current < 0) {  // the server ended, and its end was handled: nobody will answer
        ReleaseSlotLocked(kind);
        AnswerLocked(id, base::Error(base::Code::kInternal, "the fork server ended"));
        break;
      }
      lock.unlock();
      OnServerReadable(current);
      lock.lock();
    }
  } else {
    answered_.wait(lock, [&] { return pending.answered; });
  }
  base::StatusOr<pid_t> result = std::move(pending.result);
  pending_.erase(id);
  return result;
}

base::Status ChildRegistry::Kill(pid_t pid) {
  std::lock_guard lock(mu_);
  auto it = children_.find(pid);
  if (it == children_.end() || it->second.killed) {
    return base::Error(base::Code::kNotFound,
                       "pid " + std::to_string(pid) + " is not a live child of this process");
  }
  if (pidfd_send_signal(it->second.pidfd.get(), SIGKILL, nullptr, 0) != 0) {
    const int err = errno;
    return base::ErrnoError("pidfd_send_signal to " + std::to_string(pid), err);
  }
  it->second.killed = true;
  return base::Status::Ok();
}

void ChildRegistry::MonitorLoop() {
  ServerSocketEvent events[4];
  for (;;) {
    int n = client_.WaitForEvents(events, 4);
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      base::LogLine("epoll_wait failed: %s; child exits are no longer observed", strerror(err));
      return;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].tell_taken) {
        std::lock_guard lock(mu_);
        client_.TellWarmChildrenTakenLocked();
      } else if (events[i].readable) {
        OnServerReadable(events[i].socket);
      } else {
        OnServerGone(events[i].socket);
      }
    }
  }
}

void ChildRegistry::OnServerReadable(int socket) {
  // Only this thread closes the socket, so reading it outside the lock is safe.
  ForkServerReply reply = ForkServerClient::Receive(socket);
  const ForkServerMessage& m = reply.message;
  using Kind = ForkServerReply::Kind;
  switch (reply.kind) {
    case Kind::kIgnored:
      return;
    case Kind::kGone:
      return OnServerGone(socket);
    case Kind::kStartedWithoutPidfd:
      return OnStartedWithoutPidfd(socket, m);
    case Kind::kFailed:
      return OnStartFailed(m.request_id, std::move(reply.failure));
    case Kind::kExited:
      return OnExited(reply.exit);
    case Kind::kWarmChild:
      return OnWarmChild(socket, reply);
    case Kind::kWarmChildWithoutFds:
      // Without them it cannot be started: the server lets it go.
      return ForkServerClient::SendWarmChildRefused(socket, m.request_id);
    case Kind::kStarted:
    case Kind::kRefused:
      break;
  }
  std::lock_guard lock(mu_);
  auto it = pending_.find(m.request_id);
  if (it == pending_.end() || it->second.answered) return;
  Pending& pending = it->second;
  if (reply.kind == Kind::kStarted) {
    // Recorded here, before the caller hears of it, so the exit record cannot arrive first.
    RecordChildLocked(m.pid, std::move(reply.pidfd), pending.kind, std::move(pending.on_exit),
                      pending.start_flags);
    AnswerLocked(m.request_id, static_cast<pid_t>(m.pid));
  } else {
    ReleaseSlotLocked(pending.kind);
    AnswerLocked(m.request_id,
                 base::Error(base::Code::kInternal, "the fork server cannot start the child"));
  }
}

void ChildRegistry::OnWarmChild(int socket, ForkServerReply& reply) {
  std::lock_guard lock(mu_);
  if (!client_.IsCurrentSocketLocked(socket)) return;  // an earlier server's
  warm_children_.Add(reply.message.pid, reply.message.request_id, std::move(reply.pidfd),
                     std::move(reply.channel), reply.warm->configure_count,
                     reply.warm->credentials);
}

void ChildRegistry::OnExited(const ExitRecord& record) {
  Child child;
  {
    std::lock_guard lock(mu_);
    warm_children_.Forget(record.pid);  // a warm child let go before it served a start
    client_.ForgetWarmChildTakenLocked(record.pid);
    auto it = children_.find(record.pid);
    if (it == children_.end()) return;
    child = std::move(it->second);
    children_.erase(it);
    ReleaseSlotLocked(child.kind);
    RememberEndLocked(child, record);
  }
  child.pidfd.reset();  // before the callbacks: whoever they wake sees no fd of ours left
  if (base::HasLogSink() && (child.start_flags & kStartExecProgram) == 0) {
    LogChildRuntimeFailure(record);
  }
  Report(child.kind, std::move(child.on_exit), record);
}

void ChildRegistry::OnStartFailed(uint32_t request_id, base::Status failure) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(request_id);
  if (it == pending_.end() || it->second.answered) return;
  ReleaseSlotLocked(it->second.kind);
  AnswerLocked(request_id, std::move(failure));
}

// The child's pidfd did not fit our fd table (the kernel dropped it: MSG_CTRUNC). Without it
// the child cannot be recorded (kill goes through it), so it must not run: the server, its
// parent and only reaper, kills it if it is still unreaped, and the start fails. Its exit
// record then names a pid we never recorded and is dropped.
void ChildRegistry::OnStartedWithoutPidfd(int socket, const ForkServerMessage& m) {
  ForkServerClient::SendCancel(socket, m.pid);
  std::lock_guard lock(mu_);
  auto it = pending_.find(m.request_id);
  if (it == pending_.end() || it->second.answered) return;
  ReleaseSlotLocked(it->second.kind);
  AnswerLocked(m.request_id, base::Status(base::Code::kInternal,
                                          "no room for the child's pidfd in this process", EMFILE));
}

void ChildRegistry::AnswerLocked(uint32_t request_id, base::StatusOr<pid_t> result) {
  Pending& pending = pending_[request_id];
  pending.result = std::move(result);
  pending.answered = true;
  answered_.notify_all();
}

// The server died (or closed the socket): its children die with it (parent-death signal).
// Report each as killed by SIGKILL, fail what was pending, and start afresh on the next call.
void ChildRegistry::OnServerGone(int socket) {
  std::map<pid_t, Child> lost;
  {
    std::lock_guard lock(mu_);
    if (!client_.IsCurrentSocketLocked(socket)) return;  // a stale event of an earlier server
    base::LogAt(base::LogLevel::kWarning, "the fork server ended; its %zu children were killed",
                children_.size());
    client_.ForgetServerLocked();
    warm_children_.Reset();
    for (auto& [id, pending] : pending_) {
      if (pending.answered) continue;
      ReleaseSlotLocked(pending.kind);
      AnswerLocked(id, base::Error(base::Code::kInternal, "the fork server ended"));
    }
    for (auto& [pid, child] : children_) {
      ReleaseSlotLocked(child.kind);
      RememberEndLocked(child, KilledRecord(pid));
    }
    lost.swap(children_);
  }
  for (auto& [pid, child] : lost) {
    child.pidfd.reset();
    Report(child.kind, std::move(child.on_exit), KilledRecord(pid));
  }
}

void ChildRegistry::RememberEndLocked(const Child& child, const ExitRecord& record) {
  ended_[record.pid] = Ended{record, child.serial};
  ended_order_.emplace_back(record.pid, child.serial);
  while (ended_order_.size() > kKeptExitRecords) {
    const auto [pid, serial] = ended_order_.front();
    ended_order_.pop_front();
    auto it = ended_.find(pid);
    if (it != ended_.end() && it->second.serial == serial) ended_.erase(it);
  }
  ended_cv_.notify_all();
}

ChildRegistry::WaitResult ChildRegistry::WaitForExit(pid_t pid, int timeout_ms,
                                                     ExitRecord* record) {
  std::unique_lock lock(mu_);
  auto live = children_.find(pid);
  uint64_t serial = 0;
  if (live != children_.end()) {
    serial = live->second.serial;
    auto gone = [&] {
      auto it = children_.find(pid);
      return it == children_.end() || it->second.serial != serial;
    };
    // The monitor thread delivers the ends: waiting on it for one would wait forever.
    if (timeout_ms != 0 && std::this_thread::get_id() == monitor_thread_) {
      return WaitResult::kWouldDeadlock;
    }
    if (timeout_ms < 0) {
      ended_cv_.wait(lock, gone);
    } else if (!ended_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), gone)) {
      return WaitResult::kTimedOut;
    }
  }
  auto it = ended_.find(pid);
  // A live child's record must be its own (serial), not one pushed out and replaced meanwhile.
  if (it == ended_.end() || (serial != 0 && it->second.serial != serial)) {
    return WaitResult::kUnknown;
  }
  *record = it->second.record;
  return WaitResult::kEnded;
}

base::StatusOr<base::UniqueFd> ChildRegistry::OpenPidfd(pid_t pid) {
  std::lock_guard lock(mu_);
  auto it = children_.find(pid);
  if (it == children_.end()) {
    return base::Error(
        base::Code::kNotFound,
        "pid " + std::to_string(pid) +
            (ended_.count(pid) != 0 ? " has ended" : " is not a child of this process"));
  }
  base::UniqueFd copy(fcntl(it->second.pidfd.get(), F_DUPFD_CLOEXEC, 3));
  if (!copy.valid()) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("copy the pidfd of " + std::to_string(pid), err);
  }
  return copy;
}

void ChildRegistry::Report(ChildKind kind, ExitHook hook, const ExitRecord& record) {
  // Outside the lock: callbacks may start, kill or register freely. One that starts a child
  // has this thread read the server's messages (Start): the ends found then wait in
  // `reports_to_run_` until that callback returns, so callbacks never nest.
  reports_to_run_.push_back(QueuedReport{kind, std::move(hook), record});
  if (reporting_) return;
  reporting_ = true;
  while (!reports_to_run_.empty()) {
    QueuedReport next = std::move(reports_to_run_.front());
    reports_to_run_.pop_front();
    if (next.kind == ChildKind::kArgs) callbacks_.Dispatch(next.record);
    if (next.hook) next.hook(next.record);
  }
  reporting_ = false;
}

}  // namespace ncp::core
