#include "policy/owned_folder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace ncp::policy {

bool OnlyWritableBy(const struct stat& st, uid_t owner) {
  return (st.st_uid == owner || st.st_uid == 0) && (st.st_mode & 022) == 0;
}

base::UniqueFd OpenOwnedFolder(const std::string& path, uid_t owner, int depth, bool create) {
  std::vector<std::string> parts;
  std::string base = path;
  for (int i = 0; i < depth; ++i) {
    const size_t slash = base.rfind('/');
    if (slash == std::string::npos || slash + 1 == base.size()) return {};
    parts.insert(parts.begin(), base.substr(slash + 1));
    base.resize(slash == 0 ? 1 : slash);
  }
  base::UniqueFd dir(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st;
  if (!dir || ::fstat(dir.get(), &st) != 0 || !OnlyWritableBy(st, owner)) return {};
  for (const std::string& part : parts) {
    if (create && ::mkdirat(dir.get(), part.c_str(), 0700) != 0 && errno != EEXIST) return {};
    base::UniqueFd next(
        ::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next || ::fstat(next.get(), &st) != 0 || !OnlyWritableBy(st, owner)) return {};
    dir = std::move(next);
  }
  return dir;
}

}  // namespace ncp::policy
