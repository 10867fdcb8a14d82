#include "core/app/configs.h"

#include <cstring>

namespace ncp::core {

bool IsValidProcessName(const char* name) {
  const size_t len = std::strlen(name);
  if (len == 0 || len > 64) return false;
  for (size_t i = 0; i < len; ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace ncp::core
