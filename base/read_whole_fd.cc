#include "base/read_whole_fd.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ncp::base {

StatusOr<std::string> ReadWholeFd(int fd, const std::string& what, size_t max_bytes) {
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    return ErrnoError("stat " + what, err);
  }
  if (!S_ISREG(st.st_mode)) {
    return Error(Code::kInvalidArgument, what + " is not a regular file (a memfd is expected)");
  }
  if (st.st_size < 0 || static_cast<unsigned long long>(st.st_size) > max_bytes) {
    return Error(Code::kInvalidArgument, what + " is " + std::to_string(st.st_size) +
                                             " bytes, more than the " + std::to_string(max_bytes) +
                                             " it may have");
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      return ErrnoError("read " + what, err);
    }
    if (n == 0) return Error(Code::kInvalidArgument, what + " shrank while it was read");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace ncp::base
