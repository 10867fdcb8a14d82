// The descriptors a caller hands the sandbox (--fd NAME=N, request mode's named fds), checked
// in the parent before anything is created, and the rule that keeps the launcher's own fds
// (setup pipes, request and filter memfds) out of the numbers the sandbox can be given.
#pragma once

#include <set>
#include <span>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "launcher/steps.h"
#include "policy/plan.h"

namespace ncp::launcher {

// The highest descriptor number --fd accepts (also checked when the plan is resolved).
inline constexpr int kMaxPassedFd = policy::kMaxFdNumber;

// The fds that were open when ncp-launch started: only these are the caller's to give. Taken
// before anything of ours is opened, so that a closed number in the caller can never name a
// profile file, a cache file or a pipe of ours that happens to sit there later.
class CallerFds {
 public:
  // Lists /proc/self/fd; without /proc, every number is checked with fcntl when asked.
  static CallerFds Snapshot();
  bool IsOpen(int fd) const;

 private:
  bool listed_ = false;
  std::set<int> open_;
};

// main() remembers the snapshot first thing; InheritedFds() returns it.
void RememberInheritedFds();
const CallerFds& InheritedFds();

// Refuses (kInvalidArgument, one line) a number out of range, a number that was not open in
// the caller, and a directory (a directory fd from outside the sandbox's root leads back out
// of it through "..").
base::Status CheckPassedFd(int fd, const CallerFds& caller);

// Refuses a directory on fd 0, 1 or 2: the sandbox inherits them without any --fd, and a
// directory there leads out of its root as any passed one would. Closed ones are fine.
base::Status CheckStandardFds();

// The lowest number no placement uses as a source or a target: internal fds go at or above it.
int FirstInternalFd(std::span<const FdPlacement> placements);

}  // namespace ncp::launcher
