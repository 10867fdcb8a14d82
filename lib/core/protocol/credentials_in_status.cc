// Credentials from a /proc/PID/status text (credentials.h). The lines, as the kernel writes them
// (fs/proc/array.c): "Uid:\t" and "Gid:\t" with real, effective, saved and filesystem ids in
// decimal, separated by tabs, mapped into the user namespace of whoever opened the file (the
// process itself, as getresuid maps them); "Groups:\t" with decimal ids separated by spaces
// (older kernels end it with one); "CapInh:\t" ... "CapAmb:\t" as 16 hex digits; "NoNewPrivs:\t"
// and "Seccomp:\t" in decimal.
#include <sys/prctl.h>

#include <charconv>

#include "base/own_status_file.h"
#include "core/protocol/credentials.h"

namespace ncp::core {
namespace {

// One number at the start of `text`, in `base`; the rest of `text` after it.
template <typename T>
bool TakeNumber(std::string_view* text, int base, T* value) {
  const char* end = text->data() + text->size();
  const auto [next, error] = std::from_chars(text->data(), end, *value, base);
  if (error != std::errc() || next == text->data()) return false;
  text->remove_prefix(static_cast<size_t>(next - text->data()));
  return true;
}

// "a\tb\tc\td": exactly four ids.
bool FourIds(std::string_view status, std::string_view key, uint32_t (&ids)[4]) {
  std::optional<std::string_view> line = base::StatusLine(status, key);
  if (!line) return false;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (!line->starts_with('\t')) return false;
      line->remove_prefix(1);
    }
    if (!TakeNumber(&*line, 10, &ids[i])) return false;
  }
  return line->empty();
}

bool Groups(std::string_view status, Credentials* c) {
  std::optional<std::string_view> line = base::StatusLine(status, "Groups");
  if (!line) return false;
  c->group_count = 0;
  for (;;) {
    while (line->starts_with(' ')) line->remove_prefix(1);
    if (line->empty()) return true;
    if (c->group_count == kMaxCallerGroups) return false;  // the syscalls say E2BIG
    if (!TakeNumber(&*line, 10, &c->groups[c->group_count])) return false;
    ++c->group_count;
  }
}

template <typename T>
bool OneNumber(std::string_view status, std::string_view key, int base, T* value) {
  std::optional<std::string_view> line = base::StatusLine(status, key);
  return line && TakeNumber(&*line, base, value) && line->empty();
}

}  // namespace

bool CredentialsInStatus(std::string_view status, Credentials* out) {
  Credentials& c = *out;
  if (!status.starts_with("Name:\t")) return false;
  if (!FourIds(status, "Uid", c.uid) || !FourIds(status, "Gid", c.gid) || !Groups(status, &c)) {
    return false;
  }
  std::fill(c.groups + c.group_count, c.groups + kMaxCallerGroups, 0);
  if (!OneNumber(status, "CapInh", 16, &c.cap_inheritable) ||
      !OneNumber(status, "CapPrm", 16, &c.cap_permitted) ||
      !OneNumber(status, "CapEff", 16, &c.cap_effective) ||
      !OneNumber(status, "CapBnd", 16, &c.cap_bounding) ||
      !OneNumber(status, "CapAmb", 16, &c.cap_ambient) ||
      !OneNumber(status, "NoNewPrivs", 10, &c.no_new_privs) ||
      !OneNumber(status, "Seccomp", 10, &c.seccomp_mode)) {
    return false;
  }
  // The one field the file does not show.
  const int securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  if (securebits < 0) return false;
  c.securebits = static_cast<uint32_t>(securebits);
  return true;
}

}  // namespace ncp::core
