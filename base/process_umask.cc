#include "base/process_umask.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>

#include "base/own_status_file.h"

namespace ncp::base {
namespace {

constexpr mode_t kDefaultUmask = 022;

int UmaskFromFile(const char* path) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char text[512];
  const ssize_t n = read(fd, text, sizeof text);
  close(fd);
  if (n <= 0) return -1;
  const std::optional<mode_t> umask = UmaskInStatus(std::string_view(text, static_cast<size_t>(n)));
  return umask ? static_cast<int>(*umask) : -1;
}

mode_t UmaskOrDefault(int umask) { return umask >= 0 ? static_cast<mode_t>(umask) : kDefaultUmask; }

}  // namespace

std::optional<mode_t> UmaskInStatus(std::string_view status) {
  // A status file begins with the Name line (a text that is not one is refused).
  if (!status.starts_with("Name:\t")) return std::nullopt;
  const std::optional<std::string_view> line = StatusLine(status, "Umask");
  if (!line || line->empty()) return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(line->data(), line->data() + line->size(), value, 8);
  if (error != std::errc() || end != line->data() + line->size()) return std::nullopt;
  return static_cast<mode_t>(value & 0777);
}

mode_t CurrentUmask() {
  int umask = UmaskFromFile("/proc/self/status");
  if (umask < 0) umask = UmaskFromFile("/proc/thread-self/status");
  return UmaskOrDefault(umask);
}

mode_t UmaskFromOwnStatus(std::optional<std::string_view> status) {
  if (status) {
    if (const std::optional<mode_t> umask = UmaskInStatus(*status)) return *umask;
  }
  return UmaskOrDefault(UmaskFromFile("/proc/thread-self/status"));
}

mode_t CurrentUmaskThroughKeptFd() {
  char buffer[kOwnStatusBufferBytes];
  return UmaskFromOwnStatus(ReadOwnStatus(buffer));
}

}  // namespace ncp::base
