#include "policy/source_identity.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace ncp::policy {
namespace {

// openat2 has no glibc wrapper. With RESOLVE_* the kernel answers EAGAIN when a rename raced
// the walk; a few retries, as launcher/mount_paths.cc does.
int OpenPath(const std::string& path, uint64_t resolve) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = resolve;
  for (int attempt = 0;; ++attempt) {
    const int fd = static_cast<int>(syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
    if (fd >= 0 || errno != EAGAIN || attempt == 8) return fd;
  }
}

std::optional<SourceIdentity> IdentityOfOpened(int fd) {
  base::UniqueFd owned(fd);
  struct stat st {};
  if (!owned || fstat(owned.get(), &st) != 0) return std::nullopt;
  return IdentityOf(st);
}

}  // namespace

SourceIdentity IdentityOf(const struct stat& st) {
  return SourceIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::optional<SourceIdentity> IdentityOfSource(const std::string& path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  // As the child resolves sources (launcher/mount_paths.h OpenMountSource): host symlinks
  // followed, magic links refused.
  return IdentityOfOpened(OpenPath(path, RESOLVE_NO_MAGICLINKS));
}

std::optional<SourceIdentity> IdentityOfRealPath(const std::string& real_path) {
  if (real_path.empty() || real_path[0] != '/') return std::nullopt;
  return IdentityOfOpened(OpenPath(real_path, RESOLVE_NO_SYMLINKS));
}

void RecordSourceIdentities(Plan* plan) {
  for (Mount& m : plan->mounts) {
    if (m.kind == MountKind::kTmpfs) continue;
    m.identity = IdentityOfSource(m.source);
  }
}

}  // namespace ncp::policy
