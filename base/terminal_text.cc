#include "base/terminal_text.h"

namespace ncp::base {
namespace {

// Length of the valid UTF-8 sequence at `text[i]` that is neither a control nor C1, or 0.
size_t PrintableUtf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  unsigned min = 0;
  unsigned code = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, min = 0x80, code = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, min = 0x800, code = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, min = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  if (code >= 0x80 && code <= 0x9f) return 0;  // C1 controls (CSI is U+009B)
  return length;
}

// Calls `emit(piece)` for each output piece, in order.
template <typename Emit>
void Escape(std::string_view text, Emit&& emit) {
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (!emit(text.substr(i, 1))) return;
      ++i;
      continue;
    }
    if (size_t length = c >= 0x80 ? PrintableUtf8Length(text, i) : 0; length != 0) {
      if (!emit(text.substr(i, length))) return;
      i += length;
      continue;
    }
    const char escaped[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    if (!emit(std::string_view(escaped, sizeof escaped))) return;
    ++i;
  }
}

}  // namespace

std::string EscapeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  Escape(text, [&](std::string_view piece) {
    out.append(piece);
    return true;
  });
  return out;
}

size_t EscapeForTerminal(std::string_view text, char* out, size_t size) {
  if (size == 0) return 0;
  size_t used = 0;
  Escape(text, [&](std::string_view piece) {
    if (used + piece.size() > size - 1) return false;
    for (char c : piece) out[used++] = c;
    return true;
  });
  out[used] = '\0';
  return used;
}

}  // namespace ncp::base
