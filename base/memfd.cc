#include "base/memfd.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace ncp::base {

StatusOr<UniqueFd> MemfdWithContents(const char* name, std::string_view bytes, MemfdSeal seal) {
  const unsigned flags = MFD_CLOEXEC | (seal == MemfdSeal::kSealed ? MFD_ALLOW_SEALING : 0u);
  UniqueFd fd(memfd_create(name, flags));
  if (!fd.valid()) {
    const int err = errno;  // before the message is built
    return ErrnoError("memfd_create", err);
  }
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n == 0 ? EIO : errno;  // before the message is built
      return ErrnoError("write the memfd", err);
    }
    done += static_cast<size_t>(n);
  }
  if (seal == MemfdSeal::kSealed &&
      fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
    const int err = errno;
    return ErrnoError("seal the memfd", err);
  }
  return fd;
}

}  // namespace ncp::base
