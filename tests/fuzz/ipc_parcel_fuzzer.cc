// The parcel readers (lib/ipc/parcel.cc and the OH_IPCParcel_Read* shims) on a received parcel:
// the fuzz input gives the object table, the data and a read script. The object table goes
// through the transport's own check (ObjectsAreWellFormed) first, as every received frame does;
// only tables it accepts become parcels. No socket, so this goes deeper and faster than
// ipc_frame_fuzzer.
//
// Input: [table byte][object table][u16 little-endian data length][data][script]. The table
// byte's low 7 bits are the object count n; with its top bit set the table is n raw 12-byte
// WireObjects, as a peer could send anything; without it, n compact 2-byte entries [offset / 4]
// [kind selector] that take the fd numbering and handles a sender would use, so that the
// fuzzer reaches the fd and object reads more often than raw tables let it.
#include <fcntl.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "parcel_reads.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // Duplicated for every fd slot (cheaper than opening a file each time); opened before the
  // leak check's baseline is taken.
  static const ncp::base::UniqueFd kNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int baseline = ncp::fuzz::LowestFreeFd();
  {
    const size_t object_count = data[0] & 0x7f;
    const bool raw = (data[0] & 0x80) != 0;
    const size_t entry_size = raw ? sizeof(ncp::ipc::WireObject) : 2;
    ++data, --size;
    if (size < object_count * entry_size + 2) return 0;
    std::vector<ncp::ipc::WireObject> objects(object_count);
    uint32_t next_fd = 0;
    for (size_t i = 0; i < object_count; ++i) {
      const uint8_t* entry = data + i * entry_size;
      if (raw) {
        std::memcpy(&objects[i], entry, sizeof(objects[i]));
        continue;
      }
      objects[i].offset = entry[0] * 4u;
      objects[i].kind = static_cast<uint16_t>(entry[1] % 3 + 1);
      objects[i].value = objects[i].kind == static_cast<uint16_t>(ncp::ipc::WireObjectKind::kFd)
                             ? next_fd++
                             : entry[1] / 3 + 1;
    }
    data += object_count * entry_size;
    size -= object_count * entry_size;
    size_t data_size = std::min<size_t>(data[0] | size_t{data[1]} << 8, size - 2);
    data += 2;
    size -= 2;

    ncp::ipc::ReceivedFrame frame;
    frame.data = std::span(data, data_size);
    frame.objects = objects;
    // As many fds as the table names, so that tables the sender built right are accepted.
    for (const ncp::ipc::WireObject& object : objects) {
      if (object.kind == static_cast<uint16_t>(ncp::ipc::WireObjectKind::kFd)) {
        frame.fds.emplace_back(::fcntl(kNull.get(), F_DUPFD_CLOEXEC, 0));
      }
    }
    if (ncp::ipc::ObjectsAreWellFormed(frame)) {
      ncp::ipc::Parcel parcel = ncp::fuzz::BuildReceivedParcel(frame);
      ncp::fuzz::DriveParcelReads(parcel, std::span(data + data_size, size - data_size));
    }
  }
  ncp::fuzz::CheckNoFdLeak(baseline);
  return 0;
}
