#include "ipc/utf16.h"

#include <cstdint>

namespace ncp::ipc {

std::optional<std::u16string> Utf8ToUtf16(std::string_view utf8) {
  std::u16string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    auto byte = static_cast<uint8_t>(utf8[i]);
    uint32_t code = 0;
    size_t extra = 0;
    uint32_t min = 0;
    if (byte < 0x80) {
      code = byte;
    } else if ((byte & 0xe0) == 0xc0) {
      code = byte & 0x1f, extra = 1, min = 0x80;
    } else if ((byte & 0xf0) == 0xe0) {
      code = byte & 0x0f, extra = 2, min = 0x800;
    } else if ((byte & 0xf8) == 0xf0) {
      code = byte & 0x07, extra = 3, min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (extra > utf8.size() - i - 1) return std::nullopt;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<uint8_t>(utf8[i + k]);
      if ((next & 0xc0) != 0x80) return std::nullopt;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return std::nullopt;
    if (code >= 0x10000) {
      code -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 | (code >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 | (code & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(code));
    }
    i += extra + 1;
  }
  return out;
}

std::optional<std::string> Utf16ToUtf8(std::u16string_view utf16) {
  std::string out;
  out.reserve(utf16.size());
  for (size_t i = 0; i < utf16.size(); ++i) {
    uint32_t code = utf16[i];
    if (code >= 0xd800 && code <= 0xdbff) {
      if (i + 1 >= utf16.size()) return std::nullopt;
      uint32_t low = utf16[i + 1];
      if (low < 0xdc00 || low > 0xdfff) return std::nullopt;
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      ++i;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return std::nullopt;
    }
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    }
  }
  return out;
}

}  // namespace ncp::ipc
