#include "base/read_whole_fd.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ncp::base {

StatusOr<std::string> ReadWholeFd(int fd, const std::string& what) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return ErrnoError("stat " + what);
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read " + what);
    if (n == 0) return Error(Code::kInvalidArgument, what + " shrank while it was read");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace ncp::base
