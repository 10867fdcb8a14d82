#include "launcher/warm_request.h"

#include <fcntl.h>
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
#include "launcher/warm_forward.h"

namespace ncp::launcher {
namespace {

using base::Code;
using base::ErrnoError;
using base::Error;
using base::UniqueFd;

constexpr size_t kMaxNamedFds = core::kHighestRequestFd - core::kFirstNamedFd;  // 4..19

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
  const int got = ReceiveDatagramWithFds(control_fd, buffer, sizeof(buffer), &size, &flags, &fds);
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

}  // namespace ncp::launcher
