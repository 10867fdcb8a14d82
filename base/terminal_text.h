// Text that reaches a terminal must not carry its control sequences: a file name, profile
// value or option holding ESC could move the cursor, rewrite earlier lines or set the window
// title. Every diagnostic and launcher error line goes through one of these.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ncp::base {

// Copies `text`, writing C0 controls (newline included), DEL, the C1 controls U+0080..U+009F
// and bytes that are not valid UTF-8 as `\xNN`. Printable ASCII and valid UTF-8 stay as they
// are, so paths and names in other scripts remain readable.
std::string EscapeForTerminal(std::string_view text);

// The same into a caller's buffer, without allocating (for code that runs after fork).
// Writes at most `size - 1` bytes and a NUL, never splitting an escape; returns the length.
size_t EscapeForTerminal(std::string_view text, char* out, size_t size);

}  // namespace ncp::base
