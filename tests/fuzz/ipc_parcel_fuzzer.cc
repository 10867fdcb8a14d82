// The parcel readers (lib/ipc/parcel.cc and the OH_IPCParcel_Read* shims) on a received parcel:
// the fuzz input gives the object table, the data and a read script. The object table goes
// through the transport's own check (ObjectsAreWellFormed) first, as every received frame does;
// only tables it accepts become parcels. No socket, so this goes deeper and faster than
// ipc_frame_fuzzer.
//
// Input: [object count n][n x 12-byte WireObject][u16 little-endian data length][data][script]
#include <fcntl.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "parcel_reads.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int baseline = ncp::fuzz::LowestFreeFd();
  {
    size_t object_count = data[0];
    ++data, --size;
    if (size < object_count * sizeof(ncp::ipc::WireObject) + 2) return 0;
    std::vector<ncp::ipc::WireObject> objects(object_count);
    if (object_count > 0) std::memcpy(objects.data(), data, object_count * sizeof(objects[0]));
    data += object_count * sizeof(objects[0]);
    size -= object_count * sizeof(objects[0]);
    size_t data_size = std::min<size_t>(data[0] | size_t{data[1]} << 8, size - 2);
    data += 2;
    size -= 2;

    ncp::ipc::ReceivedFrame frame;
    frame.data = std::span(data, data_size);
    frame.objects = objects;
    // As many fds as the table names, so that tables the sender built right are accepted.
    for (const ncp::ipc::WireObject& object : objects) {
      if (object.kind == static_cast<uint16_t>(ncp::ipc::WireObjectKind::kFd)) {
        frame.fds.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
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
