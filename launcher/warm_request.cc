#include "launcher/warm_request.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/monotonic_clock.h"
#include "core/protocol/wire.h"
#include "launcher/library_path.h"

namespace ncp::launcher {
namespace {

using base::Code;
using base::ErrnoError;
using base::Error;
using base::UniqueFd;

constexpr size_t kMaxNamedFds = core::kHighestRequestFd - core::kFirstNamedFd;  // 4..19

// The host's hand-over into the sandbox: which number each passed fd takes there.
struct ForwardRecord {
  uint32_t version;
  uint32_t count;
  int32_t targets[core::kMaxWarmRequestFds];
  int64_t arrived_us;
};

// One datagram: `bytes` (at most `size`; *received says how many) and its fds (CLOEXEC).
// Returns 0 at EOF, 1 with a datagram, -1 on error (errno set).
int ReceiveWithFds(int fd, void* bytes, size_t size, size_t* received, int* flags,
                   std::vector<UniqueFd>* fds) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * (core::kMaxWarmRequestFds + 1))];
  iovec iov{bytes, size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -1;
  // Every fd received is owned at once, so no path below can leak one.
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int received_fd;
      std::memcpy(&received_fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds->emplace_back(received_fd);
    }
  }
  *received = static_cast<size_t>(n);
  *flags = msg.msg_flags;
  return n == 0 && fds->empty() ? 0 : 1;
}

bool IsPipeOrSocket(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

base::StatusOr<WarmStart> CheckWarmRequest(const core::WarmRequestHeader& header,
                                           std::vector<UniqueFd> fds,
                                           const WarmTemplate& expected) {
  if (header.version != core::kLaunchReportVersion) {
    return Error(Code::kInvalidArgument, "warm request: version " + std::to_string(header.version) +
                                             ", expected " +
                                             std::to_string(core::kLaunchReportVersion));
  }
  if (header.fd_count != fds.size() || fds.empty()) {
    return Error(Code::kInvalidArgument, "warm request: header says " +
                                             std::to_string(header.fd_count) + " fds, " +
                                             std::to_string(fds.size()) + " came");
  }
  auto request = core::ReadRequest(fds[0].get());
  if (!request.ok())
    return Error(Code::kInvalidArgument, "warm request: " + request.status().message());
  if (request->library != expected.library) {
    return Error(Code::kInvalidArgument, "warm request: library \"" + request->library +
                                             "\" is not the warm sandbox's \"" + expected.library +
                                             "\"");
  }
  if (request->kind != expected.kind) {
    return Error(Code::kInvalidArgument, "warm request: another kind of child than the template");
  }
  if (request->fd_names.size() > kMaxNamedFds) {
    return Error(Code::kInvalidArgument, "warm request: more than 16 named fds");
  }
  const bool has_ipc = request->ipc_fd >= 0;
  if (has_ipc && request->kind != core::ChildKind::kIpc) {
    return Error(Code::kInvalidArgument, "warm request: an IPC fd in an args-type request");
  }
  const int first_free = core::kFirstNamedFd + static_cast<int>(request->fd_names.size());
  if (has_ipc && (request->ipc_fd < first_free || request->ipc_fd > core::kHighestRequestFd)) {
    return Error(Code::kInvalidArgument, "warm request: IPC fd " + std::to_string(request->ipc_fd) +
                                             " outside " + std::to_string(first_free) + ".." +
                                             std::to_string(core::kHighestRequestFd));
  }
  const size_t wanted = 1 + request->fd_names.size() + (has_ipc ? 1 : 0);
  if (fds.size() != wanted) {
    return Error(Code::kInvalidArgument, "warm request: " + std::to_string(fds.size()) +
                                             " fds for a request that names " +
                                             std::to_string(wanted - 1) + " (plus itself)");
  }
  WarmStart start;
  start.targets.push_back(core::kRequestFd);
  for (size_t i = 1; i < fds.size(); ++i) {
    // The sandbox's Landlock rules were made before these fds existed: only fds without a
    // path are out of their reach, so nothing else may come in this late.
    if (!IsPipeOrSocket(fds[i].get())) {
      return Error(Code::kInvalidArgument,
                   "warm request: fd " + std::to_string(i) + " is neither a pipe nor a socket");
    }
    const bool is_ipc = has_ipc && i == fds.size() - 1;
    start.targets.push_back(is_ipc ? request->ipc_fd
                                   : core::kFirstNamedFd + static_cast<int>(i - 1));
  }
  start.fds = std::move(fds);
  return start;
}

}  // namespace

FileStamp StampOf(const std::string& path) {
  FileStamp stamp;
  stamp.path = path;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return stamp;
  stamp.exists = true;
  stamp.identity_only = S_ISDIR(st.st_mode);
  stamp.dev = st.st_dev;
  stamp.ino = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  stamp.ctime_ns = int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec;
  return stamp;
}

base::Status CheckBuiltFrom(const WarmTemplate& expected) {
  for (const FileStamp& then : expected.built_from) {
    const FileStamp now = StampOf(then.path);
    const bool same_identity = now.exists == then.exists && now.dev == then.dev &&
                               now.ino == then.ino && now.identity_only == then.identity_only;
    const bool same_content =
        then.identity_only ||
        (now.size == then.size && now.mtime_ns == then.mtime_ns && now.ctime_ns == then.ctime_ns);
    if (!same_identity || !same_content) {
      return base::Status(Code::kFailedPrecondition,
                          "warm request: " + then.path + " changed since the sandbox was built",
                          ESTALE);
    }
  }
  if (!expected.resolved_library.empty()) {
    auto now = ResolveLibraryOnHost(expected.library, expected.library_search_environment);
    if (!now.ok() || *now != expected.resolved_library) {
      return base::Status(Code::kFailedPrecondition,
                          "warm request: " + expected.library + " no longer resolves to " +
                              expected.resolved_library,
                          ESTALE);
    }
  }
  return base::Status::Ok();
}

base::StatusOr<std::optional<WarmStart>> ReceiveWarmRequest(int control_fd, int forward_fd,
                                                            const WarmTemplate& expected,
                                                            bool* sandbox_ended) {
  *sandbox_ended = false;
  pollfd polls[2] = {{control_fd, POLLIN, 0}, {forward_fd, 0, 0}};
  for (;;) {
    const int n = poll(polls, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("poll the control socket");
    if (polls[0].revents != 0) break;
    // Nobody but the entry-mode process holds the sandbox's end: it ended (a forwarded signal).
    if ((polls[1].revents & (POLLHUP | POLLERR)) != 0) {
      *sandbox_ended = true;
      return std::optional<WarmStart>();
    }
  }
  // One more byte than a header: a longer datagram is refused, not silently cut.
  char buffer[sizeof(core::WarmRequestHeader) + 1];
  size_t size = 0;
  int flags = 0;
  std::vector<UniqueFd> fds;
  const int got = ReceiveWithFds(control_fd, buffer, sizeof(buffer), &size, &flags, &fds);
  const int64_t arrived = base::MonotonicMicros();
  if (got <= 0) return std::optional<WarmStart>();  // EOF or a broken socket: trimmed
  if ((flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || size != sizeof(core::WarmRequestHeader)) {
    return Error(Code::kInvalidArgument, (flags & MSG_CTRUNC) != 0
                                             ? "warm request: more than 18 fds"
                                             : "warm request: not a WarmRequestHeader");
  }
  core::WarmRequestHeader header;
  std::memcpy(&header, buffer, sizeof(header));
  auto start = CheckWarmRequest(header, std::move(fds), expected);
  if (!start.ok()) return start.status();
  start->arrived_us = arrived;
  return std::optional<WarmStart>(std::move(*start));
}

base::Status ForwardWarmRequest(int forward_fd, const WarmStart& start) {
  ForwardRecord record{};
  record.version = core::kLaunchReportVersion;
  record.count = static_cast<uint32_t>(start.fds.size());
  for (size_t i = 0; i < start.fds.size(); ++i) record.targets[i] = start.targets[i];
  record.arrived_us = start.arrived_us;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * core::kMaxWarmRequestFds)] = {};
  iovec iov{&record, sizeof(record)};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * start.fds.size());
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * start.fds.size());
  for (size_t i = 0; i < start.fds.size(); ++i) {
    const int fd = start.fds[i].get();
    std::memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(int));
  }
  ssize_t n;
  do {
    n = sendmsg(forward_fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof(record))) return ErrnoError("forward the warm request");
  return base::Status::Ok();
}

base::StatusOr<int64_t> TakeForwardedRequest(int forward_fd, std::span<const int> keep) {
  ForwardRecord record{};
  size_t size = 0;
  int flags = 0;
  std::vector<UniqueFd> fds;
  const int got = ReceiveWithFds(forward_fd, &record, sizeof(record), &size, &flags, &fds);
  if (got < 0) return ErrnoError("receive the warm request");
  if (got == 0) return Error(Code::kUnavailable, "the launcher went away before the request");
  if ((flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || size != sizeof(record) ||
      record.version != core::kLaunchReportVersion || record.count != fds.size() ||
      record.count == 0 || record.count > core::kMaxWarmRequestFds) {
    return Error(Code::kInvalidArgument, "malformed forwarded warm request");
  }
  // Above every target first, so no dup2 below overwrites a received fd still to be placed.
  const int floor = kHighestWarmFd + 1;
  std::vector<int> keep_fds = {0, 1, 2};
  for (int fd : keep) {
    if (fd >= 0) keep_fds.push_back(fd);
  }
  std::vector<UniqueFd> lifted;
  for (UniqueFd& fd : fds) {
    lifted.emplace_back(fcntl(fd.get(), F_DUPFD_CLOEXEC, floor));
    if (!lifted.back()) return ErrnoError("lift a received fd");
    fd.reset();
  }
  for (size_t i = 0; i < lifted.size(); ++i) {
    const int target = record.targets[i];
    if (target < core::kRequestFd || target > core::kHighestRequestFd) {
      return Error(Code::kInvalidArgument, "forwarded fd target out of range");
    }
    if (dup2(lifted[i].get(), target) < 0) return ErrnoError("place a received fd");
    keep_fds.push_back(target);
  }
  lifted.clear();
  std::sort(keep_fds.begin(), keep_fds.end());
  keep_fds.erase(std::unique(keep_fds.begin(), keep_fds.end()), keep_fds.end());
  unsigned first = 0;
  for (int fd : keep_fds) {
    if (static_cast<unsigned>(fd) > first &&
        syscall(SYS_close_range, first, static_cast<unsigned>(fd) - 1, 0) != 0) {
      return ErrnoError("close_range");
    }
    first = static_cast<unsigned>(fd) + 1;
  }
  if (syscall(SYS_close_range, first, ~0U, 0) != 0) return ErrnoError("close_range");
  return record.arrived_us;
}

}  // namespace ncp::launcher
