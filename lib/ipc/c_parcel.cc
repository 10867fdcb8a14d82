// C shims for ipc_cparcel.h: argument checks, then the Parcel call, then the error code.
#include <cxxabi.h>

#include <cstring>
#include <new>

#include "IPCKit/ipc_cparcel.h"
#include "IPCKit/ipc_error_code.h"
#include "base/no_cancellation.h"
#include "ipc/c_handles.h"
#include "ipc/parcel.h"
#include "ipc/utf16.h"

using ncp::ipc::FromC;
using ncp::ipc::Parcel;
using ncp::ipc::ToC;

namespace {

// Writes of 8- and 16-bit values widen to 4 bytes, as c_utils does.
template <typename Wide, typename T>
int WriteValue(OHIPCParcel* parcel, T value) {
  if (parcel == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    return FromC(parcel)->Write<Wide>(static_cast<Wide>(value)) ? OH_IPC_SUCCESS
                                                                : OH_IPC_PARCEL_WRITE_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_PARCEL_WRITE_ERROR;
  }
}

template <typename Wide, typename T>
int ReadValue(const OHIPCParcel* parcel, T* value) {
  if (parcel == nullptr || value == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  Wide wide{};
  if (!FromC(parcel)->Read<Wide>(&wide)) return OH_IPC_PARCEL_READ_ERROR;
  *value = static_cast<T>(wide);
  return OH_IPC_SUCCESS;
}

constexpr size_t kMaxTokenLength = Parcel::kMaxCapacity;

}  // namespace

NCP_IPC_EXPORT OHIPCParcel* OH_IPCParcel_Create(void) { return ToC(new (std::nothrow) Parcel()); }

NCP_IPC_EXPORT void OH_IPCParcel_Destroy(OHIPCParcel* parcel) { delete FromC(parcel); }

NCP_IPC_EXPORT int OH_IPCParcel_GetDataSize(const OHIPCParcel* parcel) {
  return parcel == nullptr ? -1 : static_cast<int>(FromC(parcel)->data_size());
}

NCP_IPC_EXPORT int OH_IPCParcel_GetWritableBytes(const OHIPCParcel* parcel) {
  return parcel == nullptr ? -1 : static_cast<int>(FromC(parcel)->writable_bytes());
}

NCP_IPC_EXPORT int OH_IPCParcel_GetReadableBytes(const OHIPCParcel* parcel) {
  return parcel == nullptr ? -1 : static_cast<int>(FromC(parcel)->readable_bytes());
}

NCP_IPC_EXPORT int OH_IPCParcel_GetReadPosition(const OHIPCParcel* parcel) {
  return parcel == nullptr ? -1 : static_cast<int>(FromC(parcel)->read_position());
}

NCP_IPC_EXPORT int OH_IPCParcel_GetWritePosition(const OHIPCParcel* parcel) {
  return parcel == nullptr ? -1 : static_cast<int>(FromC(parcel)->write_position());
}

// Beyond the data size is INNER_ERROR, not CHECK_PARAM_ERROR: OpenHarmony's code (and its tests)
// disagree with its documentation here, and applications see the code.
NCP_IPC_EXPORT int OH_IPCParcel_RewindReadPosition(OHIPCParcel* parcel, uint32_t newReadPos) {
  if (parcel == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  return FromC(parcel)->RewindRead(newReadPos) ? OH_IPC_SUCCESS : OH_IPC_INNER_ERROR;
}

NCP_IPC_EXPORT int OH_IPCParcel_RewindWritePosition(OHIPCParcel* parcel, uint32_t newWritePos) {
  if (parcel == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  return FromC(parcel)->RewindWrite(newWritePos) ? OH_IPC_SUCCESS : OH_IPC_INNER_ERROR;
}

NCP_IPC_EXPORT int OH_IPCParcel_WriteInt8(OHIPCParcel* p, int8_t v) {
  return WriteValue<int32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadInt8(const OHIPCParcel* p, int8_t* v) {
  return ReadValue<int32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteInt16(OHIPCParcel* p, int16_t v) {
  return WriteValue<int32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadInt16(const OHIPCParcel* p, int16_t* v) {
  return ReadValue<int32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteInt32(OHIPCParcel* p, int32_t v) {
  return WriteValue<int32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadInt32(const OHIPCParcel* p, int32_t* v) {
  return ReadValue<int32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteInt64(OHIPCParcel* p, int64_t v) {
  return WriteValue<int64_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadInt64(const OHIPCParcel* p, int64_t* v) {
  return ReadValue<int64_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteUint8(OHIPCParcel* p, uint8_t v) {
  return WriteValue<uint32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadUint8(const OHIPCParcel* p, uint8_t* v) {
  return ReadValue<uint32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteUint16(OHIPCParcel* p, uint16_t v) {
  return WriteValue<uint32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadUint16(const OHIPCParcel* p, uint16_t* v) {
  return ReadValue<uint32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteUint32(OHIPCParcel* p, uint32_t v) {
  return WriteValue<uint32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadUint32(const OHIPCParcel* p, uint32_t* v) {
  return ReadValue<uint32_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteUint64(OHIPCParcel* p, uint64_t v) {
  return WriteValue<uint64_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadUint64(const OHIPCParcel* p, uint64_t* v) {
  return ReadValue<uint64_t>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteFloat(OHIPCParcel* p, float v) {
  return WriteValue<float>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadFloat(const OHIPCParcel* p, float* v) {
  return ReadValue<float>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_WriteDouble(OHIPCParcel* p, double v) {
  return WriteValue<double>(p, v);
}
NCP_IPC_EXPORT int OH_IPCParcel_ReadDouble(const OHIPCParcel* p, double* v) {
  return ReadValue<double>(p, v);
}

NCP_IPC_EXPORT int OH_IPCParcel_WriteString(OHIPCParcel* parcel, const char* str) {
  if (parcel == nullptr || str == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  return FromC(parcel)->WriteCString(str) ? OH_IPC_SUCCESS : OH_IPC_PARCEL_WRITE_ERROR;
}

NCP_IPC_EXPORT const char* OH_IPCParcel_ReadString(const OHIPCParcel* parcel) {
  return parcel == nullptr ? nullptr : FromC(parcel)->ReadCString();
}

NCP_IPC_EXPORT int OH_IPCParcel_WriteBuffer(OHIPCParcel* parcel, const uint8_t* buffer,
                                            int32_t len) {
  if (parcel == nullptr || buffer == nullptr || len <= 0) return OH_IPC_CHECK_PARAM_ERROR;
  return FromC(parcel)->WritePadded(buffer, static_cast<size_t>(len)) ? OH_IPC_SUCCESS
                                                                      : OH_IPC_PARCEL_WRITE_ERROR;
}

NCP_IPC_EXPORT const uint8_t* OH_IPCParcel_ReadBuffer(const OHIPCParcel* parcel, int32_t len) {
  if (parcel == nullptr || len <= 0) return nullptr;
  return FromC(parcel)->ReadInPlace(static_cast<size_t>(len));
}

NCP_IPC_EXPORT int OH_IPCParcel_WriteRemoteStub(OHIPCParcel* parcel, const OHIPCRemoteStub* stub) {
  if (parcel == nullptr || stub == nullptr || stub->object == nullptr) {
    return OH_IPC_CHECK_PARAM_ERROR;
  }
  const ncp::base::NoCancellation no_cancellation;
  try {
    return FromC(parcel)->WriteObject(stub->object) ? OH_IPC_SUCCESS : OH_IPC_PARCEL_WRITE_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_PARCEL_WRITE_ERROR;
  }
}

// Any object comes back, a proxy to a peer's object too: OpenHarmony's ReadIPCRemoteObject
// (communication_ipc, ipc_cparcel.cpp) does not check the object's kind.
NCP_IPC_EXPORT OHIPCRemoteStub* OH_IPCParcel_ReadRemoteStub(const OHIPCParcel* parcel) {
  if (parcel == nullptr) return nullptr;
  const ncp::base::NoCancellation no_cancellation;
  try {
    std::shared_ptr<ncp::ipc::RemoteObject> object = FromC(parcel)->ReadObject();
    if (object == nullptr) return nullptr;
    return new OHIPCRemoteStub{std::move(object)};
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return nullptr;
  }
}

NCP_IPC_EXPORT int OH_IPCParcel_WriteRemoteProxy(OHIPCParcel* parcel,
                                                 const OHIPCRemoteProxy* proxy) {
  if (parcel == nullptr || proxy == nullptr || proxy->object == nullptr) {
    return OH_IPC_CHECK_PARAM_ERROR;
  }
  const ncp::base::NoCancellation no_cancellation;
  try {
    return FromC(parcel)->WriteObject(proxy->object) ? OH_IPC_SUCCESS : OH_IPC_PARCEL_WRITE_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_PARCEL_WRITE_ERROR;
  }
}

NCP_IPC_EXPORT OHIPCRemoteProxy* OH_IPCParcel_ReadRemoteProxy(const OHIPCParcel* parcel) {
  if (parcel == nullptr) return nullptr;
  const ncp::base::NoCancellation no_cancellation;
  try {
    std::shared_ptr<ncp::ipc::RemoteObject> object = FromC(parcel)->ReadObject();
    if (object == nullptr) return nullptr;
    return new OHIPCRemoteProxy{std::move(object)};
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return nullptr;
  }
}

NCP_IPC_EXPORT int OH_IPCParcel_WriteFileDescriptor(OHIPCParcel* parcel, int32_t fd) {
  if (parcel == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    return FromC(parcel)->WriteFileDescriptor(fd) ? OH_IPC_SUCCESS : OH_IPC_PARCEL_WRITE_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_PARCEL_WRITE_ERROR;
  }
}

NCP_IPC_EXPORT int OH_IPCParcel_ReadFileDescriptor(const OHIPCParcel* parcel, int32_t* fd) {
  if (parcel == nullptr || fd == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  ncp::base::UniqueFd dup = FromC(parcel)->ReadFileDescriptor();
  if (!dup.valid()) return OH_IPC_PARCEL_READ_ERROR;
  *fd = dup.release();
  return OH_IPC_SUCCESS;
}

NCP_IPC_EXPORT int OH_IPCParcel_Append(OHIPCParcel* parcel, const OHIPCParcel* data) {
  if (parcel == nullptr || data == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    return FromC(parcel)->Append(*FromC(data)) ? OH_IPC_SUCCESS : OH_IPC_PARCEL_WRITE_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_PARCEL_WRITE_ERROR;
  }
}

// Layout as OpenHarmony's MessageParcel: strict-mode policy, work source, then a String16.
NCP_IPC_EXPORT int OH_IPCParcel_WriteInterfaceToken(OHIPCParcel* parcel, const char* token) {
  if (parcel == nullptr || token == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  size_t length = strnlen(token, kMaxTokenLength + 1);
  if (length == 0 || length > kMaxTokenLength) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    std::optional<std::u16string> utf16 = ncp::ipc::Utf8ToUtf16({token, length});
    if (!utf16) return OH_IPC_PARCEL_WRITE_ERROR;
    Parcel* p = FromC(parcel);
    size_t saved = p->write_position();
    constexpr int32_t kStrictModePolicy = 0x100;
    constexpr int32_t kWorkSource = 0;
    if (p->Write<int32_t>(kStrictModePolicy) && p->Write<int32_t>(kWorkSource) &&
        p->WriteString16(*utf16)) {
      return OH_IPC_SUCCESS;
    }
    p->RewindWrite(saved);
    return OH_IPC_PARCEL_WRITE_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_PARCEL_WRITE_ERROR;
  }
}

// A parcel without a token still "succeeds" with "" (length 1), as OpenHarmony's does: its
// MessageParcel yields an empty string when the reads fail.
NCP_IPC_EXPORT int OH_IPCParcel_ReadInterfaceToken(const OHIPCParcel* parcel, char** token,
                                                   int32_t* len, OH_IPC_MemAllocator allocator) {
  if (parcel == nullptr || token == nullptr || len == nullptr || allocator == nullptr) {
    return OH_IPC_CHECK_PARAM_ERROR;
  }
  const ncp::base::NoCancellation no_cancellation;
  try {
    const Parcel* p = FromC(parcel);
    size_t saved = p->read_position();
    int32_t policy = 0;
    int32_t work_source = 0;
    std::u16string utf16;
    bool read = p->Read(&policy) && p->Read(&work_source) && p->ReadString16(&utf16);
    std::optional<std::string> utf8 =
        read ? ncp::ipc::Utf16ToUtf8(utf16) : std::optional<std::string>(std::string());
    if (!utf8) {
      p->RewindRead(saved);
      return OH_IPC_PARCEL_READ_ERROR;
    }
    auto size = static_cast<int32_t>(utf8->size() + 1);
    char* memory = static_cast<char*>(allocator(size));
    if (memory == nullptr) {
      p->RewindRead(saved);
      return OH_IPC_MEM_ALLOCATOR_ERROR;
    }
    std::memcpy(memory, utf8->c_str(), utf8->size() + 1);
    *token = memory;
    *len = size;
    return OH_IPC_SUCCESS;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_PARCEL_READ_ERROR;
  }
}
