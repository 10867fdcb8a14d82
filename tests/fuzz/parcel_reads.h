// Drives a received parcel through the reads an application (or the runtime) makes on it: the
// IPC Kit C API's every OH_IPCParcel_Read* call, rewinds, and Append into a parcel of its own,
// in an order chosen by `script`. Everything read is touched, so ASan sees a read past the data.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ipc/parcel.h"
#include "ipc/remote_object.h"
#include "ipc/wire.h"

namespace ncp::fuzz {

// Runs every step of `script` (one byte per step, some steps take the next byte as argument).
void DriveParcelReads(const ipc::Parcel& parcel, std::span<const uint8_t> script);

// What the connection's BuildParcel does with a received frame, without a peer: kFd slots take
// the frame's fds; a kSenderObject becomes a stand-in proxy (a real one needs a live
// connection), a kReceiverObject a local stub. The frame must have passed ObjectsAreWellFormed.
ipc::Parcel BuildReceivedParcel(ipc::ReceivedFrame& frame);

// Fails the run (abort) when an fd is left open: the lowest free fd must still be `baseline`.
int LowestFreeFd();
void CheckNoFdLeak(int baseline);

}  // namespace ncp::fuzz
