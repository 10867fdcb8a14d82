#include "base/close_fds.h"

#include <unistd.h>

#include <algorithm>

namespace ncp::base {

Status CloseAllFdsExcept(std::vector<int> keep) {
  std::erase_if(keep, [](int fd) { return fd < 0; });
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  unsigned first = 0;
  for (int fd : keep) {
    if (static_cast<unsigned>(fd) > first &&
        close_range(first, static_cast<unsigned>(fd) - 1, 0) != 0) {
      return ErrnoError("close_range");
    }
    first = static_cast<unsigned>(fd) + 1;
  }
  if (close_range(first, ~0U, 0) != 0) return ErrnoError("close_range");
  return Status::Ok();
}

}  // namespace ncp::base
