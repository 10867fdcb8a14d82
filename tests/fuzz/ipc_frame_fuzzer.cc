// The IPC wire reader (lib/ipc/wire.cc) on what a hostile peer can send: the fuzz input is cut
// into SOCK_SEQPACKET packets, the first with fds (and credentials) attached, written to one end
// of a socketpair; FrameReader reads the other end until it refuses or the peer's end is closed.
// Every frame it accepts is turned into a parcel as the connection does and read as an
// application would, with a read script taken from the frame's own header.
//
// Input: [fd count][flags] then packets, each [u16 little-endian length][bytes]; a length past
// the end takes what is left.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "parcel_reads.h"

namespace {

using ncp::base::UniqueFd;

constexpr size_t kMaxFdsToSend = 253;    // SCM_MAX_FD: the most the kernel passes at once
constexpr uint8_t kFlagCredentials = 1;  // attach SCM_CREDENTIALS to the first packet
constexpr uint8_t kFlagNonblocking = 2;  // read as the listener does (MSG_DONTWAIT)
constexpr uint8_t kFlagPassCred = 4;     // the reader has SO_PASSCRED on, as before a HELLO

void SendPacket(int socket, const uint8_t* bytes, size_t len, size_t fd_count, bool credentials,
                int fd_to_send) {
  iovec iov = {const_cast<uint8_t*>(bytes), len};
  msghdr message = {};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  alignas(cmsghdr) unsigned char
      control[CMSG_SPACE(kMaxFdsToSend * sizeof(int)) + CMSG_SPACE(sizeof(ucred))] = {};
  if (fd_count > 0 || credentials) {
    message.msg_control = control;
    message.msg_controllen = (fd_count > 0 ? CMSG_SPACE(fd_count * sizeof(int)) : 0) +
                             (credentials ? CMSG_SPACE(sizeof(ucred)) : 0);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&message);
    if (fd_count > 0) {
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN(fd_count * sizeof(int));
      for (size_t i = 0; i < fd_count; ++i) {
        std::memcpy(CMSG_DATA(cmsg) + i * sizeof(int), &fd_to_send, sizeof(int));
      }
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
  // Never block: a packet the socket has no room for is simply not sent.
  (void)::sendmsg(socket, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int baseline = ncp::fuzz::LowestFreeFd();
  {
    size_t fd_count = std::min<size_t>(data[0], kMaxFdsToSend);
    uint8_t flags = data[1];
    data += 2;
    size -= 2;

    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) std::abort();
    UniqueFd reader_end(ends[0]), writer_end(ends[1]);
    if (flags & kFlagPassCred) {
      int on = 1;
      ::setsockopt(reader_end.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
    }
    UniqueFd passed(::open("/dev/null", O_RDONLY | O_CLOEXEC));  // the fd a peer passes
    bool first = true;
    while (size > 0) {
      size_t len = 2 <= size ? data[0] | size_t{data[1]} << 8 : size;
      size_t skip = 2 <= size ? 2 : 0;
      len = std::min(len, size - skip);
      SendPacket(writer_end.get(), data + skip, len, first ? fd_count : 0,
                 first && (flags & kFlagCredentials), passed.get());
      first = false;
      data += skip + len;
      size -= skip + len;
    }
    writer_end.reset();  // so a frame cut short ends in "peer closed", never a wait

    // One reader for the whole run, as a connection keeps one for its life: its 400 KiB buffer
    // is only storage, and faulting it in afresh for every input would cost most of the run.
    static ncp::ipc::FrameReader reader;
    bool nonblocking = (flags & kFlagNonblocking) != 0;
    for (int frames = 0; frames < 64; ++frames) {
      ncp::ipc::ReceivedFrame frame;
      bool would_block = false;
      ncp::base::Status status = reader.Read(reader_end.get(), &frame, nonblocking, &would_block);
      if (!status.ok() || would_block) break;
      // A frame the reader accepted must satisfy what the connection relies on.
      if (frame.header.data_size != frame.data.size() ||
          frame.header.object_count != frame.objects.size() ||
          frame.header.fd_count != frame.fds.size() || !ncp::ipc::ObjectsAreWellFormed(frame)) {
        std::abort();
      }
      uint8_t script[16];
      std::memcpy(script, &frame.header.id, 8);
      std::memcpy(script + 8, &frame.header.target, 4);
      std::memcpy(script + 12, &frame.header.code, 4);
      ncp::ipc::Parcel parcel = ncp::fuzz::BuildReceivedParcel(frame);
      ncp::fuzz::DriveParcelReads(parcel, script);
    }
  }
  ncp::fuzz::CheckNoFdLeak(baseline);
  return 0;
}
