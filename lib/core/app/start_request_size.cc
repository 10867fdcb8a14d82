#include "core/app/start_request_size.h"

#include <cstdint>

namespace ncp::core {
namespace {

// Written by MessageParcel::WriteInterfaceToken before the descriptor (communication_ipc,
// message_parcel.cpp): the strict-mode policy and the work source, one int32 each.
constexpr size_t kTokenHeader = 4 + 4;
// IAppMgr's descriptor, DECLARE_INTERFACE_DESCRIPTOR(u"ohos.appexecfwk.AppMgr").
constexpr size_t kAppMgrDescriptorUnits = 22;
// Parcel::WriteParcelable writes an int32 1 before each non-NULL parcelable.
constexpr size_t kParcelableFlag = 4;
// A binder flat object (flat_binder_object on LP64): what WriteFileDescriptor adds per fd.
constexpr size_t kFdObject = 24;

constexpr size_t Align4(size_t n) { return (n + 3) & ~size_t{3}; }

// Parcel::WriteString16: an int32 length, the code units and a NUL unit, padded to 4.
constexpr size_t String16Size(size_t units) { return 4 + Align4((units + 1) * 2); }

// Length of the UTF-8 sequence starting at `i`, or 0 when it is not a valid one (the rules of
// OpenHarmony's conversion: no overlongs, no surrogates, nothing above U+10FFFF).
size_t SequenceLength(std::string_view s, size_t i, size_t* units) {
  auto byte = static_cast<uint8_t>(s[i]);
  if (byte < 0x80) return *units = 1, 1;
  size_t extra = 0;
  uint32_t code = 0;
  uint32_t min = 0;
  if ((byte & 0xe0) == 0xc0) {
    extra = 1, code = byte & 0x1f, min = 0x80;
  } else if ((byte & 0xf0) == 0xe0) {
    extra = 2, code = byte & 0x0f, min = 0x800;
  } else if ((byte & 0xf8) == 0xf0) {
    extra = 3, code = byte & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (extra > s.size() - i - 1) return 0;
  for (size_t k = 1; k <= extra; ++k) {
    auto next = static_cast<uint8_t>(s[i + k]);
    if ((next & 0xc0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  *units = code >= 0x10000 ? 2 : 1;
  return extra + 1;
}

}  // namespace

size_t Utf16Units(std::string_view utf8) {
  size_t total = 0;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t units = 0;
    size_t length = SequenceLength(utf8, i, &units);
    if (length == 0) {
      units = 1;  // an undecodable byte: one unit in a lossless form
      length = 1;
    }
    total += units;
    i += length;
  }
  return total;
}

size_t OpenHarmonyStartRequestSize(std::string_view entry, std::string_view params,
                                   const std::vector<std::pair<std::string, int>>& named_fds,
                                   std::string_view custom_process_name) {
  size_t size = kTokenHeader + String16Size(kAppMgrDescriptorUnits);
  // ChildProcessRequest: srcEntry, childProcessType, childProcessCount, isStartWithDebug.
  size += kParcelableFlag + String16Size(Utf16Units(entry)) + 4 + 4 + 4;
  // ChildProcessArgs: entryParams, the fd count, then each name and fd.
  size += kParcelableFlag + String16Size(Utf16Units(params)) + 4;
  for (const auto& named : named_fds) size += String16Size(Utf16Units(named.first)) + kFdObject;
  // ChildProcessOptions: isolationMode (a bool takes 4 bytes), customProcessName.
  size += kParcelableFlag + 4 + String16Size(Utf16Units(custom_process_name));
  return size;
}

}  // namespace ncp::core
