// The wire format between two ends of one AF_UNIX SOCK_SEQPACKET connection.
//
// A frame is [FrameHeader][parcel data][WireObject x object_count]. It travels as one packet,
// or, when larger than the socket allows in one datagram, as consecutive packets sent under one
// lock (the reader reads them back to back). Fds ride on the first packet only, as SCM_RIGHTS,
// in the order of the kFd objects. Handles name objects: kSenderObject is an entry in the
// sender's export table (it becomes a proxy on the receiving side), kReceiverObject an entry in
// the receiver's own (a proxy that travelled home and resolves to the original stub).
//
// Everything read from the peer is validated here or in the connection before use: a peer is
// another process and may be hostile or broken.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "ipc/parcel.h"

namespace ncp::ipc {

inline constexpr uint32_t kWireMagic = 0x4950434e;  // "NCPI" in memory order
inline constexpr uint32_t kWireVersion = 1;

enum class FrameType : uint16_t {
  kHello = 1,    // first frame each way: target = the sender's root handle (0 = none)
  kRequest = 2,  // target = handle in the receiver's export table; code; id (0 if one-way)
  kReply = 3,    // id of the request; code = the result
  kRelease = 4,  // target = handle in the receiver's export table; code = references dropped
};

inline constexpr uint16_t kFlagOneWay = 1;

struct FrameHeader {
  uint32_t magic = kWireMagic;
  uint16_t type = 0;
  uint16_t flags = 0;
  uint64_t id = 0;
  uint32_t target = 0;
  uint32_t code = 0;
  uint32_t data_size = 0;
  uint32_t object_count = 0;
  uint32_t fd_count = 0;
  uint32_t version = kWireVersion;
};
static_assert(sizeof(FrameHeader) == 40);

enum class WireObjectKind : uint16_t { kFd = 1, kSenderObject = 2, kReceiverObject = 3 };

struct WireObject {
  uint32_t offset = 0;  // slot position in the parcel data
  uint16_t kind = 0;
  uint16_t reserved = 0;
  uint32_t value = 0;  // a handle, or the fd's index among the frame's fds
};
static_assert(sizeof(WireObject) == 12);

// Limits a received frame must respect. The kernel passes at most 253 fds per message.
inline constexpr size_t kMaxFdsPerFrame = 128;
inline constexpr size_t kMaxObjectsPerFrame = Parcel::kMaxCapacity / Parcel::kObjectSlotSize;
inline constexpr size_t kMaxFrameBytes =
    sizeof(FrameHeader) + Parcel::kMaxCapacity + kMaxObjectsPerFrame * sizeof(WireObject);

// Sends one frame. `credentials` (HELLO only) attaches SCM_CREDENTIALS. Serialise calls per socket.
base::Status SendFrame(int socket, size_t max_packet, const FrameHeader& header,
                       std::span<const uint8_t> data, std::span<const WireObject> objects,
                       std::span<const int> fds, bool credentials);

struct ReceivedFrame {
  FrameHeader header;
  std::span<const uint8_t> data;        // points into the reader's buffer
  std::span<const WireObject> objects;  // ditto (copied out aligned)
  std::vector<base::UniqueFd> fds;
  std::optional<ucred> credentials;
};

// Reads frames from one socket; owns the reassembly buffer. Not thread-safe: one reader thread.
class FrameReader {
 public:
  FrameReader();
  // kUnavailable when the peer closed the connection; kInvalidArgument for a protocol violation.
  // With `nonblocking`, returns OK with *would_block set when no packet is waiting (the rest of
  // a frame, once started, is always waited for).
  base::Status Read(int socket, ReceivedFrame* frame, bool nonblocking = false,
                    bool* would_block = nullptr);

 private:
  base::Status ReadFrame(int socket, ReceivedFrame* frame, bool nonblocking, bool* would_block);

  std::vector<uint8_t> buffer_;
  std::vector<WireObject> objects_;
};

// Checks the object table against the data and fds: offsets aligned, ascending, within the data
// and not overlapping; kinds known; fd indices exactly 0..fd_count-1 in order.
bool ObjectsAreWellFormed(const ReceivedFrame& frame);

}  // namespace ncp::ipc
