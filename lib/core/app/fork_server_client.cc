#include "core/app/fork_server_client.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "base/fd_numbers.h"
#include "core/app/install_paths.h"
#include "core/app/warm_key.h"
#include "core/protocol/credentials.h"
#include "core/protocol/program_request.h"
#include "core/protocol/unix_message.h"

namespace ncp::core {
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

ExitRecord RecordFrom(const ForkServerExit& exit) {
  const ForkServerMessage& m = exit.header;
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
  if (IsExitCause(exit.cause)) r.cause = static_cast<ExitCause>(exit.cause);
  r.syscall_nr = exit.syscall_nr;
  r.syscall_name.assign(exit.syscall_name, strnlen(exit.syscall_name, sizeof exit.syscall_name));
  r.profile_line.assign(exit.profile_line, strnlen(exit.profile_line, sizeof exit.profile_line));
  return r;
}

base::Status FailureFrom(const ForkServerFailure& failure) {
  const ForkServerMessage& m = failure.header;
  const int err = m.error;
  const std::string message(failure.message, strnlen(failure.message, sizeof failure.message));
  switch (m.failure) {
    case StartFailure::kProgram:
      return ProgramStartFailure(m.flags, err);
    case StartFailure::kSandbox:
      // Nothing of the child ran; its pid was never given out, so no exit callback follows.
      return base::Status(base::Code::kInternal, "sandbox: " + message);
    case StartFailure::kEntry:
      return base::Status(base::Code::kLibraryNotLoaded,
                          "the child could not load its entry: " + message);
    case StartFailure::kProtocolMismatch:
      return base::Status(base::Code::kInternal, message, err);
    case StartFailure::kSystem:
      break;
  }
  // EPERM: the child could not take the caller's credentials (the caller holds something the
  // fork server, started earlier, does not have).
  return base::Status(base::Code::kInternal,
                      err == EPERM ? "the child cannot have the caller's credentials"
                                   : "the fork server cannot start the child",
                      err);
}

}  // namespace

ForkServerClient::ForkServerClient()
    : epoll_(base::KeepOffStandardFds(base::UniqueFd(epoll_create1(EPOLL_CLOEXEC)))),
      warm_pool_size_(kWarmPoolDefaultSizes),
      warm_idle_timeout_ms_(kDefaultWarmPoolIdleMs) {
  WarmPoolFromEnvironment(&warm_pool_size_, &warm_idle_timeout_ms_);
  spawner_ = new LongLivedThread();
  taken_timer_ = base::KeepOffStandardFds(
      base::UniqueFd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = taken_timer_.get();
  // Without it, warm children are never taken (StartWarm asks TakesWarmChildren).
  if (taken_timer_.valid() &&
      epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, taken_timer_.get(), &ev) != 0) {
    taken_timer_.reset();
  }
}

bool ForkServerClient::TakesWarmChildren() const { return taken_timer_.valid(); }

void ForkServerClient::NoteWarmChildTakenLocked(uint32_t id, pid_t pid, bool pool_empty) {
  taken_.push_back(Taken{id, pid});
  if (pool_empty) ArmTakenTimerLocked();
}

void ForkServerClient::ForgetWarmChildTakenLocked(pid_t pid) {
  std::erase_if(taken_, [pid](const Taken& t) { return t.pid == pid; });
}

void ForkServerClient::ArmTakenTimerLocked() {
  if (taken_timer_armed_) return;
  const itimerspec in_a_millisecond{{0, 0}, {0, 1000000}};
  taken_timer_armed_ = timerfd_settime(taken_timer_.get(), 0, &in_a_millisecond, nullptr) == 0;
}

void ForkServerClient::TellWarmChildrenTakenLocked() {
  uint64_t expirations;
  (void)!read(taken_timer_.get(), &expirations, sizeof expirations);
  taken_timer_armed_ = false;
  size_t told = 0;
  for (; told < taken_.size(); ++told) {
    ForkServerMessage m{};
    m.type = ForkServerMessageType::kWarmChildTaken;
    m.request_id = taken_[told].id;
    m.pid = taken_[told].pid;
    if (send(socket_.get(), &m, sizeof m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) break;
  }
  // A full socket keeps the rest for the next tick; a server that is gone needs telling no more
  // (ForgetServerLocked follows).
  if (told < taken_.size() && errno != EAGAIN) told = taken_.size();
  taken_.erase(taken_.begin(), taken_.begin() + static_cast<std::ptrdiff_t>(told));
  if (!taken_.empty()) ArmTakenTimerLocked();
}

base::Status ForkServerClient::EnsureRunningLocked() {
  if (socket_.valid()) return base::Status::Ok();
  auto helper = ChildHelperPath();
  if (!helper.ok()) return helper.status();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("socketpair for the fork server", err);
  }
  base::UniqueFd ours(base::KeepOffStandardFds(base::UniqueFd(pair[0]))), theirs(pair[1]);
  SpawnSpec spec{*helper,
                 {std::string(program_invocation_short_name) + ":ncp-fork-server", "--fork-server",
                  std::to_string(getpid()), std::to_string(kForkServerProtocolVersion),
                  std::to_string(warm_pool_size_), std::to_string(warm_idle_timeout_ms_)},
                 {theirs.get()}};
  // Spawned from the long-lived thread: the server's parent-death signal follows that thread.
  base::StatusOr<SpawnedProcess> process = base::Error(base::Code::kInternal, "not run");
  spawner_->Run([&] { process = Spawn(spec); });
  if (!process.ok()) return process.status();
  socket_ = std::move(ours);
  process_ = std::move(*process);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = socket_.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, socket_.get(), &ev) != 0) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("epoll_ctl for the fork server", err);
  }
  return base::Status::Ok();
}

base::StatusOr<base::UniqueFd> ForkServerClient::DupSocketLocked() const {
  base::UniqueFd socket(fcntl(socket_.get(), F_DUPFD_CLOEXEC, 3));
  if (!socket.valid()) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("dup the fork server socket", err);
  }
  return socket;
}

base::Status ForkServerClient::ConfigureWarmPoolLocked(int size, int idle_timeout_ms, bool* sent) {
  warm_pool_size_ = size;
  warm_idle_timeout_ms_ = idle_timeout_ms;
  *sent = false;
  if (!socket_.valid()) return base::Status::Ok();  // given to it when it starts
  ForkServerConfigureMessage m{};
  m.header.type = ForkServerMessageType::kConfigure;
  m.pool_size = size;
  m.idle_timeout_ms = idle_timeout_ms;
  if (!SendMessage(socket_.get(), &m, sizeof m, nullptr, 0)) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("send the warm pool's settings to the fork server", err);
  }
  *sent = true;
  return base::Status::Ok();
}

void ForkServerClient::CloseFdsInForkedChild() {
  for (base::UniqueFd* fd : {&epoll_, &socket_, &taken_timer_, &process_.pidfd}) {
    if (fd->valid()) close(fd->release());
  }
}

bool ForkServerClient::IsCurrentSocketLocked(int socket) const { return socket == socket_.get(); }

void ForkServerClient::ForgetServerLocked() {
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, socket_.get(), nullptr);
  socket_.reset();
  taken_.clear();
  siginfo_t info;
  waitid(P_PIDFD, static_cast<id_t>(process_.pidfd.get()), &info, WEXITED | __WALL);
  process_ = SpawnedProcess{};
}

int ForkServerClient::WaitForEvents(ServerSocketEvent* events, int max_events) {
  epoll_event ready[4];
  const int n = epoll_wait(epoll_.get(), ready, std::min(max_events, 4), -1);
  for (int i = 0; i < n; ++i) {
    events[i].socket = ready[i].data.fd;
    events[i].readable = (ready[i].events & EPOLLIN) != 0;
    events[i].tell_taken = ready[i].data.fd == taken_timer_.get();
  }
  return n;
}

base::StatusOr<std::unique_ptr<ForkServerStartMessage>> ForkServerClient::EncodeStart(
    const StartOptions& options) {
  // The launcher's argv travels in the message, as NUL-terminated words.
  std::string argv_bytes;
  for (const std::string& word : options.launcher_argv) {
    argv_bytes += word;
    argv_bytes += '\0';
  }
  if (argv_bytes.size() > kMaxLauncherArgvBytes) {
    return base::Error(base::Code::kInvalidArgument, "the launcher command is too long");
  }
  const size_t request_bytes =
      options.inline_request != nullptr ? options.inline_request->size() : 0;
  if (request_bytes > kMaxInlineRequestBytes) {
    return base::Error(base::Code::kInternal, "an inline launch request larger than its limit");
  }
  // Heap-allocated: the groups make it 4 KiB, the tail 24 KiB. Not zeroed past the fixed
  // part: only what is filled in is sent.
  std::unique_ptr<ForkServerStartMessage> message(new ForkServerStartMessage);
  memset(static_cast<void*>(message.get()), 0, offsetof(ForkServerStartMessage, tail));
  if (options.credentials == nullptr) {
    return base::Error(base::Code::kInternal, "a start without the caller's credentials");
  }
  message->credentials = *options.credentials;
  message->header.type = ForkServerMessageType::kStart;
  message->header.flags = options.flags;
  message->warm_key = WithCredentials(options.shape, message->credentials);
  message->launcher_argv_bytes = static_cast<uint32_t>(argv_bytes.size());
  message->request_bytes = static_cast<uint32_t>(request_bytes);
  memcpy(message->tail, argv_bytes.data(), argv_bytes.size());
  if (request_bytes != 0) {
    memcpy(message->tail + argv_bytes.size(), options.inline_request->data(), request_bytes);
  }
  return message;
}

bool ForkServerClient::SendStart(int socket, uint32_t request_id, ForkServerStartMessage& message,
                                 const std::vector<int>& fds) {
  message.header.request_id = request_id;
  const size_t size =
      offsetof(ForkServerStartMessage, tail) + message.launcher_argv_bytes + message.request_bytes;
  return SendMessage(socket, &message, size, fds.data(), fds.size());
}

void ForkServerClient::SendWarmChildRefused(int socket, uint32_t id) {
  ForkServerMessage refused{};
  refused.type = ForkServerMessageType::kWarmChildRefused;
  refused.request_id = id;
  SendMessage(socket, &refused, sizeof refused, nullptr, 0);
}

void ForkServerClient::SendCancel(int socket, pid_t pid) {
  ForkServerMessage cancel{};
  cancel.type = ForkServerMessageType::kCancel;
  cancel.pid = pid;
  SendMessage(socket, &cancel, sizeof cancel, nullptr, 0);
}

ForkServerReply ForkServerClient::Receive(int socket) {
  ForkServerReplyBuffer buffer{};
  const ForkServerMessage& m = buffer.header;
  std::vector<base::UniqueFd> fds;
  const ssize_t n = ReceiveMessage(socket, &buffer, sizeof buffer, &fds, 2);
  const int receive_errno = errno;
  ForkServerReply reply;
  reply.message = m;
  using Kind = ForkServerReply::Kind;
  if (n == 0 || (n < 0 && receive_errno != EBADMSG && receive_errno != EAGAIN)) {
    reply.kind = Kind::kGone;
  } else if (n < 0 && receive_errno == EBADMSG && m.type == ForkServerMessageType::kStarted) {
    reply.kind = Kind::kStartedWithoutPidfd;
  } else if (m.type == ForkServerMessageType::kWarmChildReady &&
             ((n < 0 && receive_errno == EBADMSG) ||
              (n == sizeof(ForkServerWarmChild) && fds.size() != 2))) {
    reply.kind = Kind::kWarmChildWithoutFds;
  } else if (n == sizeof(ForkServerFailure) && m.type == ForkServerMessageType::kFailed) {
    reply.kind = Kind::kFailed;
    reply.failure = FailureFrom(buffer.failure);
  } else if (n == sizeof(ForkServerExit) && m.type == ForkServerMessageType::kExited) {
    reply.kind = Kind::kExited;
    reply.exit = RecordFrom(buffer.exit);
  } else if (n == sizeof(ForkServerWarmChild) && m.type == ForkServerMessageType::kWarmChildReady) {
    reply.kind = Kind::kWarmChild;
    reply.pidfd = base::KeepOffStandardFds(std::move(fds[0]));
    reply.channel = base::KeepOffStandardFds(std::move(fds[1]));
    reply.warm = std::make_unique<ForkServerWarmChild>(buffer.warm_child);
  } else if (n != sizeof m) {
    reply.kind = Kind::kIgnored;
  } else if (m.type == ForkServerMessageType::kStarted && fds.size() == 1) {
    reply.kind = Kind::kStarted;
    reply.pidfd = base::KeepOffStandardFds(std::move(fds[0]));
  } else {
    reply.kind = Kind::kRefused;
  }
  return reply;
}

}  // namespace ncp::core
