#include "core/protocol/unix_message.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/protocol/fork_server_protocol.h"

namespace ncp::core {

bool SendMessage(int socket, const void* data, size_t size, const int* fds, size_t nfds) {
  const iovec whole{const_cast<void*>(data), size};
  return SendMessageParts(socket, &whole, 1, fds, nfds);
}

bool SendMessageParts(int socket, const iovec* parts, size_t count, const int* fds, size_t nfds) {
  size_t size = 0;
  for (size_t i = 0; i < count; ++i) size += parts[i].iov_len;
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(parts);
  msg.msg_iovlen = count;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerStart)];
  if (nfds > 0) {
    if (nfds > static_cast<size_t>(kMaxFdsPerStart)) {
      errno = EINVAL;
      return false;
    }
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
  }
  for (;;) {
    ssize_t n = sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (n >= 0) return static_cast<size_t>(n) == size;
    if (errno != EINTR) return false;
  }
}

ssize_t ReceiveMessage(int socket, void* data, size_t size, std::vector<base::UniqueFd>* fds,
                       size_t max_fds, bool close_on_exec) {
  iovec iov{data, size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerStart)];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(socket, &msg, close_on_exec ? MSG_CMSG_CLOEXEC : 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -1;
  fds->clear();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds->emplace_back(fd);
    }
  }
  if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || fds->size() > max_fds) {
    fds->clear();
    errno = EBADMSG;
    return -1;
  }
  return n;
}

}  // namespace ncp::core
