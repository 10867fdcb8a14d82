#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "launcher/steps.h"

namespace ncp::launcher {

using base::ErrnoError;
using base::Status;

// The program form keeps each --fd at its own number, which is where the launcher already has
// it, so nothing moves; the LIB.so:ENTRY form (not yet written) will move them to 4.. as
// lib/core/wire.h expects.
Status MoveAndCloseFds(const policy::Plan& plan, std::span<const int> internal) {
  std::vector<int> keep = {0, 1, 2};
  for (const policy::FdMapping& m : plan.fds) {
    const int flags = fcntl(m.fd, F_GETFD);
    if (flags < 0)
      return ErrnoError("--fd " + m.name + "=" + std::to_string(m.fd) + " is not open");
    if (fcntl(m.fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) return ErrnoError("clear FD_CLOEXEC");
    keep.push_back(m.fd);
  }
  for (int fd : internal) {
    if (fd >= 0) keep.push_back(fd);  // already CLOEXEC: gone at exec
  }
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  unsigned first = 0;
  for (int fd : keep) {
    if (static_cast<unsigned>(fd) > first &&
        syscall(SYS_close_range, first, static_cast<unsigned>(fd) - 1, 0) != 0) {
      return ErrnoError("close_range");
    }
    first = static_cast<unsigned>(fd) + 1;
  }
  if (syscall(SYS_close_range, first, ~0U, 0) != 0) return ErrnoError("close_range");
  return Status::Ok();
}

}  // namespace ncp::launcher
