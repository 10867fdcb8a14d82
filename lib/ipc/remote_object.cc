#include "ipc/remote_object.h"

#include "ipc/result_codes.h"

namespace ncp::ipc {

int Stub::Dispatch(uint32_t code, const Parcel& data, Parcel* reply, const CallerIdentity& caller) {
  if (on_request_ == nullptr) return OH_IPC_INNER_ERROR;
  ScopedCallingContext context(caller);
  return MapStubResult(on_request_(code, ToC(&data), ToC(reply), user_data_));
}

int Stub::SendRequest(uint32_t code, const Parcel& data, Parcel* reply, bool one_way) {
  // Same process: the callback runs right here, as OpenHarmony does for a local object. The
  // callback reads `data` from 0, as a remote callee would.
  data.RewindRead(0);
  int result = Dispatch(code, data, reply, SelfIdentity());
  return one_way ? OH_IPC_SUCCESS : result;  // one-way results are never delivered
}

int Stub::GetDescriptor(std::string* descriptor) {
  *descriptor = descriptor_;
  return OH_IPC_SUCCESS;
}

}  // namespace ncp::ipc
