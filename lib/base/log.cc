#include "base/log.h"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>

namespace ncp::base {

void LogLine(const char* fmt, ...) {
  char buf[1024];
  int n = std::snprintf(buf, sizeof buf, "ncp: ");
  va_list ap;
  va_start(ap, fmt);
  int m = std::vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
  va_end(ap);
  if (m < 0) return;
  size_t len = static_cast<size_t>(n) + static_cast<size_t>(m);
  if (len > sizeof buf - 2) len = sizeof buf - 2;
  buf[len++] = '\n';
  ssize_t ignored = ::write(STDERR_FILENO, buf, len);
  (void)ignored;
}

}  // namespace ncp::base
