#include "core/app/warm_key.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstddef>

namespace ncp::core {
namespace {

// FNV-1a, 64 bits: a key for a handful of pools in one process, not a security boundary (the
// launcher itself re-checks the library and profile files a warm sandbox was built from).
class Hasher {
 public:
  void Bytes(const void* data, size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
      value_ ^= p[i];
      value_ *= 0x100000001b3ULL;
    }
  }
  // Length first, so that ("ab","c") and ("a","bc") differ.
  void String(const std::string& s) {
    const uint64_t size = s.size();
    Bytes(&size, sizeof size);
    Bytes(s.data(), s.size());
  }
  void Strings(const std::vector<std::string>& list) {
    const uint64_t count = list.size();
    Bytes(&count, sizeof count);
    for (const std::string& s : list) String(s);
  }
  uint64_t value() const { return value_ == 0 ? 1 : value_; }

 private:
  uint64_t value_ = 0xcbf29ce484222325ULL;
};

}  // namespace

uint64_t SandboxShapeKey(const SandboxShapeInputs& in) {
  Hasher h;
  h.Strings(*in.launcher_argv);
  // The count and the entries, each ended by '\0': as unambiguous as each one's length.
  const uint64_t entries = in.environment->size();
  h.Bytes(&entries, sizeof entries);
  h.String(in.environment->bytes());
  h.String(*in.working_directory);
  h.Bytes(&in.umask, sizeof in.umask);
  h.String(*in.library);
  h.Bytes(&in.kind, sizeof in.kind);
  const uint8_t wait = in.wait_for_entry ? 1 : 0;
  h.Bytes(&wait, sizeof wait);
  return h.value();
}

uint64_t WithCredentials(uint64_t key, const Credentials& c) {
  if (key == 0) return 0;
  Hasher h;
  h.Bytes(&key, sizeof key);
  h.Bytes(&c, offsetof(Credentials, groups));
  h.Bytes(c.groups, sizeof(uint32_t) * std::min<uint32_t>(c.group_count, kMaxCallerGroups));
  return h.value();
}

bool WarmSandboxCanTake(const std::vector<int>& fds) {
  for (int fd : fds) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return false;
  }
  return true;
}

}  // namespace ncp::core
