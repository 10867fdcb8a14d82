#include "launcher/passed_fds.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

namespace ncp::launcher {
namespace {

// Until main() remembers the real snapshot, an unlisted one: every number is asked of fcntl.
CallerFds g_inherited;

}  // namespace

CallerFds CallerFds::Snapshot() {
  CallerFds out;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  const int own = dirfd(dir);
  while (const dirent* entry = readdir(dir)) {
    int fd = -1;
    const char* name = entry->d_name;
    auto [end, ec] = std::from_chars(name, name + std::strlen(name), fd);
    if (ec == std::errc() && *end == '\0' && fd != own) out.open_.insert(fd);
  }
  closedir(dir);
  out.listed_ = true;
  return out;
}

bool CallerFds::IsOpen(int fd) const {
  if (listed_) return open_.contains(fd);
  return fcntl(fd, F_GETFD) >= 0;
}

const CallerFds& InheritedFds() { return g_inherited; }

void RememberInheritedFds() { g_inherited = CallerFds::Snapshot(); }

base::Status CheckPassedFd(int fd, const CallerFds& caller) {
  const std::string what = "fd " + std::to_string(fd);
  if (fd < 0 || fd > kMaxPassedFd) {
    return base::Error(base::Code::kInvalidArgument,
                       what + " is out of range (0.." + std::to_string(kMaxPassedFd) + ")");
  }
  if (!caller.IsOpen(fd)) {
    return base::Error(base::Code::kInvalidArgument,
                       what + " is not open: only a descriptor ncp-launch inherited can be passed");
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    return base::ErrnoError("stat " + what, err);
  }
  if (S_ISDIR(st.st_mode)) {
    return base::Error(base::Code::kInvalidArgument,
                       what + " is a directory: it would lead out of the sandbox's root");
  }
  return base::Status::Ok();
}

base::Status CheckStandardFds() {
  for (const int fd : {0, 1, 2}) {
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      return base::Error(
          base::Code::kInvalidArgument,
          "fd " + std::to_string(fd) + " is a directory: it would lead out of the sandbox's root");
    }
  }
  return base::Status::Ok();
}

int FirstInternalFd(std::span<const FdPlacement> placements) {
  int floor = 3;
  for (const FdPlacement& p : placements) {
    // Both are checked to be at most kMaxPassedFd, so +1 cannot overflow.
    floor = std::max({floor, std::min(p.from, kMaxPassedFd) + 1, std::min(p.to, kMaxPassedFd) + 1});
  }
  return floor;
}

}  // namespace ncp::launcher
