#include "ipc/wire.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/fd_numbers.h"

namespace ncp::ipc {
namespace {

// The byte ranges a frame is made of, so packets can be cut anywhere without copying.
struct Segments {
  std::span<const uint8_t> parts[3];

  // Fills `iov` with the bytes in [begin, end); returns how many entries were used.
  int Slice(size_t begin, size_t end, iovec* iov) const {
    int count = 0;
    size_t base = 0;
    for (const auto& part : parts) {
      size_t lo = std::max(begin, base);
      size_t hi = std::min(end, base + part.size());
      if (lo < hi) {
        iov[count].iov_base = const_cast<uint8_t*>(part.data() + (lo - base));
        iov[count].iov_len = hi - lo;
        ++count;
      }
      base += part.size();
    }
    return count;
  }
};

ssize_t SendRetrying(int socket, const msghdr* message) {
  ssize_t sent;
  do {
    sent = ::sendmsg(socket, message, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent;
}

ssize_t ReceiveRetrying(int socket, msghdr* message, int flags = 0) {
  ssize_t received;
  do {
    received = ::recvmsg(socket, message, MSG_CMSG_CLOEXEC | flags);
  } while (received < 0 && errno == EINTR);
  return received;
}

base::Status Violation(const char* what) {
  return base::Error(base::Code::kInvalidArgument, std::string("ipc protocol violation: ") + what);
}

// Takes ownership of every fd in the control messages first, so nothing leaks on any error.
void CollectControl(msghdr* message, std::vector<base::UniqueFd>* fds,
                    std::optional<ucred>* credentials) {
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(message); cmsg != nullptr; cmsg = CMSG_NXTHDR(message, cmsg)) {
    if (cmsg->cmsg_level != SOL_SOCKET) continue;
    if (cmsg->cmsg_type == SCM_RIGHTS) {
      size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      const auto* data = reinterpret_cast<const unsigned char*>(CMSG_DATA(cmsg));
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, data + i * sizeof(int), sizeof(int));
        // The library may keep it for long (a remote object's socket): off 0-2.
        fds->push_back(base::KeepOffStandardFds(base::UniqueFd(fd)));
      }
    } else if (cmsg->cmsg_type == SCM_CREDENTIALS && credentials != nullptr &&
               cmsg->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
      ucred creds;
      std::memcpy(&creds, CMSG_DATA(cmsg), sizeof(creds));
      *credentials = creds;
    }
  }
}

// Room for the most fds a frame may carry plus credentials; a message with more is truncated
// by the kernel (MSG_CTRUNC), which the reader treats as a violation.
constexpr size_t kControlBytes =
    CMSG_SPACE(kMaxFdsPerFrame * sizeof(int)) + CMSG_SPACE(sizeof(ucred));

}  // namespace

base::Status SendFrame(int socket, size_t max_packet, const FrameHeader& header,
                       std::span<const uint8_t> data, std::span<const WireObject> objects,
                       std::span<const int> fds, bool credentials) {
  Segments segments{
      {std::span(reinterpret_cast<const uint8_t*>(&header), sizeof(header)), data,
       std::span(reinterpret_cast<const uint8_t*>(objects.data()), objects.size_bytes())}};
  size_t total = sizeof(header) + data.size() + objects.size_bytes();
  alignas(cmsghdr) unsigned char control[kControlBytes];
  size_t offset = 0;
  bool first = true;
  while (offset < total) {
    size_t end = std::min(total, offset + max_packet);
    iovec iov[3];
    msghdr message = {};
    message.msg_iov = iov;
    message.msg_iovlen = static_cast<size_t>(segments.Slice(offset, end, iov));
    if (first && (!fds.empty() || credentials)) {
      if (fds.size() > kMaxFdsPerFrame) {
        return base::Error(base::Code::kResourceExhausted, "too many fds in one parcel");
      }
      std::memset(control, 0, sizeof(control));
      message.msg_control = control;
      message.msg_controllen = (fds.empty() ? 0 : CMSG_SPACE(fds.size() * sizeof(int))) +
                               (credentials ? CMSG_SPACE(sizeof(ucred)) : 0);
      cmsghdr* cmsg = CMSG_FIRSTHDR(&message);
      if (!fds.empty()) {
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
        std::memcpy(CMSG_DATA(cmsg), fds.data(), fds.size() * sizeof(int));
        cmsg = CMSG_NXTHDR(&message, cmsg);
      }
      if (credentials) {
        ucred creds = {::getpid(), ::getuid(), ::getgid()};
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_CREDENTIALS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(ucred));
        std::memcpy(CMSG_DATA(cmsg), &creds, sizeof(creds));
      }
    }
    ssize_t sent = SendRetrying(socket, &message);
    if (sent < 0) return base::ErrnoError("sendmsg on the ipc socket");
    // SEQPACKET sends whole packets or fail; a short count would mean a broken socket.
    if (static_cast<size_t>(sent) != end - offset) {
      return base::Error(base::Code::kInternal, "short sendmsg on the ipc socket");
    }
    offset = end;
    first = false;
  }
  return base::Status::Ok();
}

FrameReader::FrameReader() : buffer_(kMaxFrameBytes) {}

base::Status FrameReader::Read(int socket, ReceivedFrame* frame, bool nonblocking,
                               bool* would_block) {
  base::Status status = ReadFrame(socket, frame, nonblocking, would_block);
  if (!status.ok()) frame->fds.clear();  // a rejected frame's fds are closed right away
  return status;
}

base::Status FrameReader::ReadFrame(int socket, ReceivedFrame* frame, bool nonblocking,
                                    bool* would_block) {
  if (would_block != nullptr) *would_block = false;
  frame->fds.clear();
  frame->credentials.reset();
  alignas(cmsghdr) unsigned char control[kControlBytes];
  iovec iov = {buffer_.data(), buffer_.size()};
  msghdr message = {};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  ssize_t received = ReceiveRetrying(socket, &message, nonblocking ? MSG_DONTWAIT : 0);
  if (received < 0 && errno == ECONNRESET) {
    // The peer closed its end with packets of ours unread. The kernel reports that once, ahead
    // of the packets the peer sent before closing (a HELLO, a last reply): read those first.
    message.msg_controllen = sizeof(control);
    message.msg_flags = 0;
    received = ReceiveRetrying(socket, &message, MSG_DONTWAIT);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) errno = ECONNRESET;
  }
  if (received < 0) {
    if (nonblocking && (errno == EAGAIN || errno == EWOULDBLOCK) && would_block != nullptr) {
      *would_block = true;
      return base::Status::Ok();
    }
    if (errno == ECONNRESET) return base::Error(base::Code::kUnavailable, "peer reset");
    return base::ErrnoError("recvmsg on the ipc socket");
  }
  CollectControl(&message, &frame->fds, &frame->credentials);
  if (received == 0) return base::Error(base::Code::kUnavailable, "peer closed the connection");
  if (message.msg_flags & MSG_CTRUNC) return Violation("too many fds");
  if (message.msg_flags & MSG_TRUNC) return Violation("packet larger than any frame");
  if (static_cast<size_t>(received) < sizeof(FrameHeader)) return Violation("truncated header");

  FrameHeader& header = frame->header;
  std::memcpy(&header, buffer_.data(), sizeof(header));
  if (header.magic != kWireMagic || header.version != kWireVersion) return Violation("bad magic");
  if (header.type < static_cast<uint16_t>(FrameType::kHello) ||
      header.type > static_cast<uint16_t>(FrameType::kRelease)) {
    return Violation("unknown frame type");
  }
  if (header.data_size > Parcel::kMaxCapacity) return Violation("data size too large");
  if (header.object_count > header.data_size / Parcel::kObjectSlotSize) {
    return Violation("more objects than the data can hold");
  }
  if (header.fd_count > kMaxFdsPerFrame || header.fd_count > header.object_count) {
    return Violation("too many fds");
  }
  if (frame->fds.size() != header.fd_count) return Violation("fd count mismatch");
  size_t total = sizeof(FrameHeader) + header.data_size + header.object_count * sizeof(WireObject);
  size_t have = static_cast<size_t>(received);
  if (have > total) return Violation("packet longer than its frame");

  while (have < total) {
    iovec more = {buffer_.data() + have, total - have};
    msghdr next = {};
    next.msg_iov = &more;
    next.msg_iovlen = 1;
    next.msg_control = control;
    next.msg_controllen = sizeof(control);
    received = ReceiveRetrying(socket, &next);
    if (received < 0) return base::ErrnoError("recvmsg on the ipc socket");
    std::vector<base::UniqueFd> stray;
    CollectControl(&next, &stray, nullptr);
    if (received == 0) return base::Error(base::Code::kUnavailable, "peer closed mid-frame");
    if (!stray.empty() || (next.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
      return Violation("malformed continuation packet");
    }
    have += static_cast<size_t>(received);
  }

  frame->data = std::span<const uint8_t>(buffer_.data() + sizeof(FrameHeader), header.data_size);
  objects_.resize(header.object_count);
  if (header.object_count > 0) {
    std::memcpy(objects_.data(), buffer_.data() + sizeof(FrameHeader) + header.data_size,
                header.object_count * sizeof(WireObject));
  }
  frame->objects = objects_;
  if (!ObjectsAreWellFormed(*frame)) return Violation("bad object table");
  return base::Status::Ok();
}

bool ObjectsAreWellFormed(const ReceivedFrame& frame) {
  size_t next_free = 0;
  uint32_t next_fd = 0;
  for (const WireObject& object : frame.objects) {
    if (object.offset % 4 != 0 || object.offset < next_free ||
        size_t{object.offset} + Parcel::kObjectSlotSize > frame.data.size()) {
      return false;
    }
    next_free = object.offset + Parcel::kObjectSlotSize;
    switch (static_cast<WireObjectKind>(object.kind)) {
      case WireObjectKind::kFd:
        if (object.value != next_fd++) return false;
        break;
      case WireObjectKind::kSenderObject:
      case WireObjectKind::kReceiverObject:
        if (object.value == 0) return false;  // handle 0 is never issued
        break;
      default:
        return false;
    }
  }
  return next_fd == frame.fds.size();
}

}  // namespace ncp::ipc
