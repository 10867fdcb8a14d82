#include "base/replace_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>

#include "base/unique_fd.h"

namespace ncp::base {

Status ReplaceFileAt(int dir_fd, const std::string& name, std::string_view bytes, mode_t mode,
                     bool sync_first) {
  UniqueFd fd;
  std::string temporary;
  // A random name, not a guessable one: whoever else writes the folder cannot take them all.
  for (int attempt = 0; attempt < 16 && !fd; ++attempt) {
    uint64_t random = 0;
    if (getrandom(&random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) {
      return ErrnoError("getrandom");
    }
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random));
    temporary = "." + name + "." + suffix;
    fd.reset(openat(dir_fd, temporary.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd && errno != EEXIST) return ErrnoError("create a new file for " + name);
  }
  if (!fd) return Error(Code::kInternal, "no free name for a new file for " + name);
  const auto fail = [&](const std::string& what) {
    const int err = errno;
    unlinkat(dir_fd, temporary.c_str(), 0);
    return ErrnoError(what, err);
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write the new file for " + name);
    done += static_cast<size_t>(n);
  }
  if (sync_first && fsync(fd.get()) != 0) return fail("fsync the new file for " + name);
  fd.reset();
  if (renameat(dir_fd, temporary.c_str(), dir_fd, name.c_str()) != 0) {
    return fail("replace " + name);
  }
  return Status::Ok();
}

}  // namespace ncp::base
