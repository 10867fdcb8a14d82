#include "launcher/warm_forward.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/close_fds.h"
#include "core/protocol/launch_report.h"
#include "core/protocol/wire.h"

namespace ncp::launcher {
namespace {

using base::Code;
using base::ErrnoError;
using base::Error;
using base::UniqueFd;

// The host's hand-over into the sandbox: which number each passed fd takes there.
struct ForwardRecord {
  uint32_t version;
  uint32_t count;
  int32_t targets[core::kMaxWarmRequestFds];
  int64_t arrived_us;
};

}  // namespace

// One datagram: `bytes` (at most `size`; *received says how many) and its fds (CLOEXEC).
// Returns 0 at EOF, 1 with a datagram, -1 on error (errno set).
int ReceiveDatagramWithFds(int fd, void* bytes, size_t size, size_t* received, int* flags,
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
  const int got = ReceiveDatagramWithFds(forward_fd, &record, sizeof(record), &size, &flags, &fds);
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
  base::Status closed = base::CloseAllFdsExcept(std::move(keep_fds));
  if (!closed.ok()) return closed;
  return record.arrived_us;
}

}  // namespace ncp::launcher
