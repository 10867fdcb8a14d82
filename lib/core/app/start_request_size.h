// The size OpenHarmony's start request would have, so ncp refuses what OpenHarmony cannot send.
//
// OpenHarmony sends OH_Ability_StartNativeChildProcess* to its app manager as one MessageParcel
// (ability_ability_runtime, AppMgrProxy::StartChildProcess): the interface token, then a
// ChildProcessRequest (ChildProcessRequest::Marshalling) holding the entry string, the
// ChildProcessArgs (ChildProcessArgs::Marshalling: entryParams and each fd name as String16, each
// fd as a binder object) and the ChildProcessOptions (the custom process name as String16). A
// c_utils Parcel never grows beyond 204,800 bytes (commonlibrary_c_utils base/src/parcel.cpp,
// DEFAULT_CPACITY and CalcNewCapacity), so a request whose parcel would be larger fails to
// marshal and the caller gets NCP_ERR_SERVICE_ERROR (16010003). ncp has no such parcel, but
// keeps the limit so that an application that works on ncp also works on OpenHarmony.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ncp::core {

inline constexpr size_t kOpenHarmonyParcelLimit = 204800;

// UTF-16 code units of `utf8` after OpenHarmony's conversion (Str8ToStr16). Bytes that are not
// valid UTF-8 OpenHarmony converts without checks (commonlibrary_c_utils unicode_ex.cpp,
// Utf8ToUtf16: the lead byte alone decides how many bytes a character takes), so the child gets
// other text, or "" when a sequence runs past the end. ncp passes the bytes through unchanged
// and counts each undecodable byte as one code unit, the size a lossless conversion would need.
size_t Utf16Units(std::string_view utf8);

// Bytes of the parcel OpenHarmony's StartChildProcess request would occupy.
size_t OpenHarmonyStartRequestSize(std::string_view entry, std::string_view params,
                                   const std::vector<std::pair<std::string, int>>& named_fds,
                                   std::string_view custom_process_name);

}  // namespace ncp::core
