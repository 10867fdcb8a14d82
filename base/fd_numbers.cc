#include "base/fd_numbers.h"

#include <fcntl.h>

#include <cerrno>
#include <string>

namespace ncp::base {

StatusOr<UniqueFd> MoveAbove(UniqueFd fd, int floor) {
  if (fd.get() >= floor) return fd;
  UniqueFd moved(fcntl(fd.get(), F_DUPFD_CLOEXEC, floor));
  if (!moved) {
    const int err = errno;
    return ErrnoError("move an internal fd above " + std::to_string(floor - 1), err);
  }
  return moved;
}

UniqueFd KeepOffStandardFds(UniqueFd fd) {
  constexpr int kFirstNonStandardFd = 3;
  if (!fd.valid() || fd.get() >= kFirstNonStandardFd) return fd;
  UniqueFd moved(fcntl(fd.get(), F_DUPFD_CLOEXEC, kFirstNonStandardFd));
  if (!moved.valid()) return fd;
  return moved;  // `fd`, the original, closes on the way out
}

}  // namespace ncp::base
