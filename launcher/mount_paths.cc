#include "launcher/mount_paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <vector>

#include "launcher/mount_syscalls.h"

namespace ncp::launcher {
namespace {

using base::Code;
using base::ErrnoError;
using base::Status;
using base::StatusOr;
using base::UniqueFd;

// Sources mean what they mean on the host: absolute symlinks and ".." stay inside the host's
// root (the launcher itself sits in a staging root by then).
constexpr uint64_t kSourceResolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
// Destinations: BENEATH rather than IN_ROOT, because an absolute symlink in a bind is a path on
// the host to whoever wrote the command line and a path in the sandbox to the kernel; rather
// than guess, refuse it (and any ".." above the root), and report the attempt.
constexpr uint64_t kDestinationResolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
// One name inside a directory we have just created: no symlink of any kind.
constexpr uint64_t kJustCreatedResolve =
    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

// With RESOLVE_BENEATH / RESOLVE_IN_ROOT the kernel answers EAGAIN when a rename or mount
// elsewhere raced the walk (another sandbox renaming inside a shared bind can cause that).
constexpr int kRaceRetries = 8;

// An O_PATH fd, or -errno.
int Resolve(int dirfd, const std::string& path, int flags, uint64_t resolve) {
  for (int attempt = 0;; ++attempt) {
    const int fd = OpenAt2(dirfd, path.c_str(), O_PATH | O_CLOEXEC | flags, resolve);
    if (fd >= 0) return fd;
    if (errno != EAGAIN || attempt == kRaceRetries) return -errno;
  }
}

StatusOr<UniqueFd> Duplicate(int fd) {
  UniqueFd copy(fcntl(fd, F_DUPFD_CLOEXEC, 0));
  if (!copy) return ErrnoError("dup");
  return copy;
}

std::vector<std::string> Names(std::string_view path) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < path.size()) {
    const size_t slash = path.find('/', pos);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > pos) names.emplace_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return names;
}

Status DestinationError(const std::string& destination, const std::string& walked, int err) {
  const std::string where =
      "mount destination " + destination + (walked == destination ? "" : " (at " + walked + ")");
  switch (err) {
    case EXDEV:
      return base::Error(Code::kInvalidArgument,
                         where + ": a symlink or '..' leads outside the new root");
    case ELOOP:
      return base::Error(Code::kInvalidArgument,
                         where +
                             ": goes through a magic link, a symlink that cannot be "
                             "created through, or too many symlinks");
    default:
      return ErrnoError(where, err);
  }
}

// Creates `name` in `parent` without following a symlink there. false with errno EEXIST when
// something (a directory, a file, a symlink) is already there.
bool CreateName(int parent, const std::string& name, MountPointKind kind) {
  if (kind == MountPointKind::kDirectory) return mkdirat(parent, name.c_str(), 0755) == 0;
  const int fd = openat(parent, name.c_str(),
                        O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  close(fd);
  return true;
}

Status CheckNames(const std::string& destination, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (name == "." || name == "..") {
      return base::Error(Code::kInvalidArgument,
                         "mount destination " + destination + ": '.' and '..' are not allowed");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<UniqueFd> OpenMountSource(int host_root, const std::string& source) {
  const size_t start = source.find_first_not_of('/');
  if (start == std::string::npos) return Duplicate(host_root);
  const int fd = Resolve(host_root, source.substr(start), 0, kSourceResolve);
  if (fd >= 0) return UniqueFd(fd);
  if (fd == -ELOOP) {
    return base::Error(Code::kInvalidArgument,
                       "mount source " + source +
                           ": goes through a magic link (/proc/PID/...) or too many symlinks");
  }
  return ErrnoError("mount source " + source, -fd);
}

StatusOr<UniqueFd> ResolveMountPoint(int root, const std::string& destination,
                                     MountPointKind kind) {
  const std::vector<std::string> names = Names(destination);
  NCP_RETURN_IF_ERROR(CheckNames(destination, names));
  if (names.empty()) {
    if (kind == MountPointKind::kFile) {
      return base::Error(Code::kInvalidArgument, "mount destination /: a file cannot go there");
    }
    return Duplicate(root);
  }
  UniqueFd resolved;     // the directory resolved so far (none yet: the root)
  std::string relative;  // its path from the root, for openat2
  std::string walked;    // the same for messages
  for (size_t i = 0; i < names.size(); ++i) {
    const bool last = i + 1 == names.size();
    const MountPointKind here = last ? kind : MountPointKind::kDirectory;
    const int flags = here == MountPointKind::kDirectory ? O_DIRECTORY : 0;
    const int parent = resolved ? resolved.get() : root;
    relative += (i == 0 ? "" : "/") + names[i];
    walked += "/" + names[i];
    // Create first, in the directory resolved so far: in a fresh tmpfs (the usual case) nothing
    // is there yet, and the new name is then opened without any symlink on the way.
    int fd;
    if (CreateName(parent, names[i], here)) {
      fd = Resolve(parent, names[i], flags, kJustCreatedResolve);
    } else if (errno == EEXIST) {
      // The whole prefix from the root: a relative symlink may climb back up (to another bind,
      // say) and still stay beneath the root. ENOENT now means a symlink to nothing.
      fd = Resolve(root, relative, flags, kDestinationResolve);
      if (fd == -ENOENT) fd = -ELOOP;
    } else {
      fd = -errno;
    }
    if (fd < 0) return DestinationError(destination, walked, -fd);
    resolved.reset(fd);
  }
  struct stat st {};
  if (kind == MountPointKind::kFile && fstat(resolved.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return DestinationError(destination, walked, EISDIR);
  }
  return resolved;
}

StatusOr<UniqueFd> OpenExistingMountPoint(int root, const std::string& destination) {
  const std::vector<std::string> names = Names(destination);
  NCP_RETURN_IF_ERROR(CheckNames(destination, names));
  if (names.empty()) return Duplicate(root);
  std::string relative;
  for (const std::string& name : names) relative += (relative.empty() ? "" : "/") + name;
  const int fd = Resolve(root, relative, 0, kDestinationResolve);
  if (fd < 0) return DestinationError(destination, destination, -fd);
  return UniqueFd(fd);
}

}  // namespace ncp::launcher
