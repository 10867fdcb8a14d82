#include "core/app/child_registry.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "base/log.h"
#include "core/app/install_paths.h"
#include "core/protocol/program_request.h"
#include "core/protocol/unix_message.h"

namespace ncp::core {
namespace {

std::mutex g_instance_mu;
ChildRegistry* g_instance = nullptr;

// A process made by fork() has none of the threads the registry relies on, and its children
// are not ours: it must start from a fresh registry. The old one is left behind (leaked).
void InstallForkHandlers() {
  pthread_atfork([] { g_instance_mu.lock(); }, [] { g_instance_mu.unlock(); },
                 [] {
                   g_instance = nullptr;
                   g_instance_mu.unlock();
                 });
}

// A child that died with the fork server (parent-death signal).
ExitRecord KilledRecord(pid_t pid) {
  ExitRecord record;
  record.pid = pid;
  record.signal = SIGKILL;
  return record;
}

ExitRecord RecordFrom(const ForkServerMessage& m) {
  ExitRecord r;
  r.pid = m.pid;
  if (m.wait_code == CLD_EXITED) {
    r.exit_code = m.wait_status;
  } else {
    r.signal = m.wait_status;
    r.core_dumped = m.wait_code == CLD_DUMPED;
  }
  r.user_time_us = m.user_time_us;
  r.system_time_us = m.system_time_us;
  r.max_rss_kib = m.max_rss_kib;
  return r;
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
  if (g_instance == nullptr) g_instance = new ChildRegistry();
  return *g_instance;
}

namespace {

// NCP_WARM_POOL="SIZE[,IDLE_MS]": the warm pool's settings for programs that cannot call
// NCP_SetWarmPool. Anything malformed leaves the defaults.
void WarmPoolFromEnvironment(int* size, int* idle_ms) {
  const char* value = getenv("NCP_WARM_POOL");
  if (value == nullptr || *value == '\0') return;
  char* end = nullptr;
  const long parsed_size = strtol(value, &end, 10);
  if (end == value || parsed_size < 0 || parsed_size > 8) return;
  long parsed_idle = *idle_ms;
  if (*end == ',') {
    const char* idle = end + 1;
    parsed_idle = strtol(idle, &end, 10);
    if (end == idle || parsed_idle < 0 || parsed_idle > INT32_MAX) return;
  }
  if (*end != '\0') return;
  *size = static_cast<int>(parsed_size);
  *idle_ms = static_cast<int>(parsed_idle);
}

}  // namespace

ChildRegistry::ChildRegistry()
    : epoll_(epoll_create1(EPOLL_CLOEXEC)), warm_pool_size_(2), warm_idle_timeout_ms_(30000) {
  WarmPoolFromEnvironment(&warm_pool_size_, &warm_idle_timeout_ms_);
  spawner_ = new LongLivedThread();
  monitor_thread_ = StartSignalFreeThread([this] { MonitorLoop(); });
}

void ChildRegistry::ReleaseSlotLocked(ChildKind kind) {
  --live_;
  if (kind == ChildKind::kIpc) --live_ipc_;
}

base::Status ChildRegistry::EnsureForkServerLocked() {
  if (server_socket_.valid()) return base::Status::Ok();
  auto helper = ChildHelperPath();
  if (!helper.ok()) return helper.status();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("socketpair for the fork server", err);
  }
  base::UniqueFd ours(pair[0]), theirs(pair[1]);
  SpawnSpec spec{*helper,
                 {std::string(program_invocation_short_name) + ":ncp-fork-server", "--fork-server",
                  std::to_string(getpid()), std::to_string(kForkServerProtocolVersion),
                  std::to_string(warm_pool_size_), std::to_string(warm_idle_timeout_ms_)},
                 {theirs.get()}};
  // Spawned from the long-lived thread: the server's parent-death signal follows that thread.
  base::StatusOr<SpawnedProcess> process = base::Error(base::Code::kInternal, "not run");
  spawner_->Run([&] { process = Spawn(spec); });
  if (!process.ok()) return process.status();
  server_socket_ = std::move(ours);
  server_process_ = std::move(*process);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = server_socket_.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, server_socket_.get(), &ev) != 0) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("epoll_ctl for the fork server", err);
  }
  return base::Status::Ok();
}

base::Status ChildRegistry::ConfigureWarmPool(int size, int idle_timeout_ms) {
  std::lock_guard lock(mu_);
  warm_pool_size_ = size;
  warm_idle_timeout_ms_ = idle_timeout_ms;
  if (!server_socket_.valid()) return base::Status::Ok();  // given to it when it starts
  ForkServerConfigureMessage m{};
  m.header.type = ForkServerMessageType::kConfigure;
  m.pool_size = size;
  m.idle_timeout_ms = idle_timeout_ms;
  if (!SendMessage(server_socket_.get(), &m, sizeof m, nullptr, 0)) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("send the warm pool's settings to the fork server", err);
  }
  return base::Status::Ok();
}

base::StatusOr<pid_t> ChildRegistry::Start(ChildKind kind, const std::vector<int>& fds,
                                           ExitHook on_exit, const StartOptions& options) {
  const uint32_t start_flags = options.flags;
  // The launcher's argv travels in the message, as NUL-terminated words.
  std::string argv_bytes;
  for (const std::string& word : options.launcher_argv) {
    argv_bytes += word;
    argv_bytes += '\0';
  }
  if (argv_bytes.size() > kMaxLauncherArgvBytes) {
    return base::Error(base::Code::kInvalidArgument, "the launcher command is too long");
  }
  // On the calling thread, first: its credentials are the ones the child must have (a thread
  // may have changed its own with raw setresuid; the fork server has the process's old ones).
  // Heap-allocated: the groups make it 4 KiB.
  auto request = std::make_unique<ForkServerStartMessage>();
  if (!CaptureThreadCredentials(&request->credentials)) {
    const int err = errno;
    return base::ErrnoError("read the caller's credentials", err);
  }
  uint32_t id = 0;
  base::UniqueFd socket;
  {
    std::lock_guard lock(mu_);
    if (live_ >= kMaxLiveChildren) {
      return base::Error(base::Code::kResourceExhausted, "512 child processes are alive");
    }
    if (kind == ChildKind::kIpc && live_ipc_ >= kMaxLiveIpcChildren) {
      return base::Error(base::Code::kResourceExhausted, "50 IPC-type child processes are alive");
    }
    NCP_RETURN_IF_ERROR(EnsureForkServerLocked());
    // Our own reference to the socket: the monitor may close the registry's if the server dies.
    socket.reset(fcntl(server_socket_.get(), F_DUPFD_CLOEXEC, 3));
    if (!socket.valid()) {
      const int err = errno;  // before the message is built
      return base::ErrnoError("dup the fork server socket", err);
    }
    ++live_;
    if (kind == ChildKind::kIpc) ++live_ipc_;
    id = next_request_id_++;
    Pending& pending = pending_[id];
    pending.kind = kind;
    pending.on_exit = std::move(on_exit);
    pending.start_flags = start_flags;
  }
  // Sent without the lock: a full socket must not stop the monitor from draining replies.
  request->header.type = ForkServerMessageType::kStart;
  request->header.request_id = id;
  request->header.flags = start_flags;
  request->warm_key = options.shape;
  request->launcher_argv_bytes = static_cast<uint32_t>(argv_bytes.size());
  memcpy(request->launcher_argv, argv_bytes.data(), argv_bytes.size());
  const size_t size = offsetof(ForkServerStartMessage, launcher_argv) + argv_bytes.size();
  const bool sent = SendMessage(socket.get(), request.get(), size, fds.data(), fds.size());
  const int send_errno = errno;
  std::unique_lock lock(mu_);
  Pending& pending = pending_[id];
  if (!sent && !pending.answered) {
    ReleaseSlotLocked(kind);
    AnswerLocked(id, base::ErrnoError("send a start request to the fork server", send_errno));
  }
  answered_.wait(lock, [&] { return pending.answered; });
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
  if (syscall(SYS_pidfd_send_signal, it->second.pidfd.get(), SIGKILL, nullptr, 0) != 0) {
    const int err = errno;
    return base::ErrnoError("pidfd_send_signal to " + std::to_string(pid), err);
  }
  it->second.killed = true;
  return base::Status::Ok();
}

void ChildRegistry::MonitorLoop() {
  epoll_event events[4];
  for (;;) {
    int n = epoll_wait(epoll_.get(), events, 4, -1);
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      base::LogLine("epoll_wait failed: %s; child exits are no longer observed", strerror(err));
      return;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].events & EPOLLIN) {
        OnServerReadable(events[i].data.fd);
      } else {
        OnServerGone(events[i].data.fd);
      }
    }
  }
}

void ChildRegistry::OnServerReadable(int socket) {
  ForkServerFailure buffer{};  // the largest message the server sends
  const ForkServerMessage& m = buffer.header;
  std::vector<base::UniqueFd> fds;
  // Only this thread closes the socket, so reading it outside the lock is safe.
  const ssize_t n = ReceiveMessage(socket, &buffer, sizeof buffer, &fds, 1);
  const int receive_errno = errno;
  if (n == 0 || (n < 0 && receive_errno != EBADMSG && receive_errno != EAGAIN)) {
    return OnServerGone(socket);
  }
  if (n < 0 && receive_errno == EBADMSG && m.type == ForkServerMessageType::kStarted) {
    return OnStartedWithoutPidfd(socket, m);
  }
  if (n == sizeof buffer && m.type == ForkServerMessageType::kFailed) {
    return OnStartFailed(buffer);
  }
  if (n != sizeof m) return;

  if (m.type == ForkServerMessageType::kExited) {
    Child child;
    {
      std::lock_guard lock(mu_);
      auto it = children_.find(m.pid);
      if (it == children_.end()) return;
      child = std::move(it->second);
      children_.erase(it);
      ReleaseSlotLocked(child.kind);
      RememberEndLocked(child, RecordFrom(m));
    }
    child.pidfd.reset();  // before the callbacks: whoever they wake sees no fd of ours left
    if (base::HasLogSink() && (child.start_flags & kStartExecProgram) == 0) {
      LogChildRuntimeFailure(RecordFrom(m));
    }
    Report(child.kind, std::move(child.on_exit), RecordFrom(m));
    return;
  }
  std::lock_guard lock(mu_);
  auto it = pending_.find(m.request_id);
  if (it == pending_.end() || it->second.answered) return;
  Pending& pending = it->second;
  if (m.type == ForkServerMessageType::kStarted && fds.size() == 1) {
    // Recorded here, before the caller hears of it, so the exit record cannot arrive first.
    children_[m.pid] = Child{std::move(fds[0]),          pending.kind,        false,
                             std::move(pending.on_exit), pending.start_flags, next_serial_++};
    ended_.erase(m.pid);  // an earlier child's record under a recycled pid
    AnswerLocked(m.request_id, static_cast<pid_t>(m.pid));
  } else {
    ReleaseSlotLocked(pending.kind);
    AnswerLocked(m.request_id,
                 base::Error(base::Code::kInternal, "the fork server cannot start the child"));
  }
}

void ChildRegistry::OnStartFailed(const ForkServerFailure& failure) {
  const ForkServerMessage& m = failure.header;
  std::lock_guard lock(mu_);
  auto it = pending_.find(m.request_id);
  if (it == pending_.end() || it->second.answered) return;
  ReleaseSlotLocked(it->second.kind);
  const int err = m.error;
  const std::string message(failure.message, strnlen(failure.message, sizeof failure.message));
  switch (m.failure) {
    case StartFailure::kProgram:
      return AnswerLocked(m.request_id, ProgramStartFailure(m.flags, err));
    case StartFailure::kSandbox:
      // Nothing of the child ran; its pid was never given out, so no exit callback follows.
      return AnswerLocked(m.request_id,
                          base::Status(base::Code::kInternal, "sandbox: " + message));
    case StartFailure::kEntry:
      return AnswerLocked(m.request_id, base::Status(base::Code::kLibraryNotLoaded,
                                                     "the child could not load its entry: " +
                                                         message));
    case StartFailure::kProtocolMismatch:
      return AnswerLocked(m.request_id, base::Status(base::Code::kInternal, message, err));
    case StartFailure::kSystem:
      break;
  }
  // EPERM: the child could not take the caller's credentials (the caller holds something the
  // fork server, started earlier, does not have).
  AnswerLocked(m.request_id,
               base::Status(base::Code::kInternal,
                            err == EPERM ? "the child cannot have the caller's credentials"
                                         : "the fork server cannot start the child",
                            err));
}

// The child's pidfd did not fit our fd table (the kernel dropped it: MSG_CTRUNC). Without it
// the child cannot be recorded (kill goes through it), so it must not run: the server, its
// parent and only reaper, kills it if it is still unreaped, and the start fails. Its exit
// record then names a pid we never recorded and is dropped.
void ChildRegistry::OnStartedWithoutPidfd(int socket, const ForkServerMessage& m) {
  ForkServerMessage cancel{};
  cancel.type = ForkServerMessageType::kCancel;
  cancel.pid = m.pid;
  SendMessage(socket, &cancel, sizeof cancel, nullptr, 0);
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
    if (socket != server_socket_.get()) return;  // a stale event of an earlier server
    base::LogAt(base::LogLevel::kWarning, "the fork server ended; its %zu children were killed",
                children_.size());
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, server_socket_.get(), nullptr);
    server_socket_.reset();
    siginfo_t info;
    syscall(SYS_waitid, P_PIDFD, server_process_.pidfd.get(), &info, WEXITED | __WALL, nullptr);
    server_process_ = SpawnedProcess{};
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
  // Outside the lock: callbacks may start, kill or register freely.
  if (kind == ChildKind::kArgs) callbacks_.Dispatch(record);
  if (hook) hook(record);
}

}  // namespace ncp::core
