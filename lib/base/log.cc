#include "base/log.h"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "base/terminal_text.h"

namespace ncp::base {

void LogLine(const char* fmt, ...) {
  char raw[1024];
  va_list ap;
  va_start(ap, fmt);
  const int m = std::vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  if (m < 0) return;
  // Names and messages in the line may come from files and options: no terminal controls.
  char buf[1024];
  constexpr char kPrefix[] = "ncp: ";
  std::memcpy(buf, kPrefix, sizeof kPrefix - 1);
  size_t len = sizeof kPrefix - 1;
  len +=
      EscapeForTerminal(std::string_view(raw, std::strlen(raw)), buf + len, sizeof buf - len - 1);
  buf[len++] = '\n';
  ssize_t ignored = ::write(STDERR_FILENO, buf, len);
  (void)ignored;
}

}  // namespace ncp::base
