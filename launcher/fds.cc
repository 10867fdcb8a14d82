#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "base/close_fds.h"
#include "launcher/passed_fds.h"
#include "launcher/steps.h"

namespace ncp::launcher {

using base::ErrnoError;
using base::Status;

// Two passes, so that no placement overwrites a source or an internal fd that a later one
// still needs: first every source and internal fd is duplicated above the highest target, then
// the copies are dup2'd to their targets (dup2 clears FD_CLOEXEC on the new fd).
Status MoveAndCloseFds(std::span<const FdPlacement> placements, std::span<int*> internal) {
  const int floor = FirstInternalFd(placements);
  std::vector<int> keep = {0, 1, 2};
  for (int* fd : internal) {
    if (*fd < 0) continue;
    const int moved = fcntl(*fd, F_DUPFD_CLOEXEC, floor);
    if (moved < 0) return ErrnoError("move an internal fd");
    *fd = moved;
    keep.push_back(moved);
  }
  std::vector<int> sources;
  for (const FdPlacement& p : placements) {
    const int copy = fcntl(p.from, F_DUPFD_CLOEXEC, floor);
    if (copy < 0) {
      const int err = errno;
      return ErrnoError("fd " + std::to_string(p.from) + " is not open", err);
    }
    sources.push_back(copy);
  }
  for (size_t i = 0; i < placements.size(); ++i) {
    if (dup2(sources[i], placements[i].to) < 0) {
      const int err = errno;
      return ErrnoError("dup2 to fd " + std::to_string(placements[i].to), err);
    }
    keep.push_back(placements[i].to);
  }
  return base::CloseAllFdsExcept(std::move(keep));
}

}  // namespace ncp::launcher
