// UTF-8 <-> UTF-16 conversion for interface tokens and descriptors, which OpenHarmony carries
// as String16. Strict: malformed input (bad sequences, overlongs, surrogates in UTF-8, unpaired
// surrogates in UTF-16) fails, as OpenHarmony's conversion does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ncp::ipc {

std::optional<std::u16string> Utf8ToUtf16(std::string_view utf8);
std::optional<std::string> Utf16ToUtf8(std::u16string_view utf16);

}  // namespace ncp::ipc
