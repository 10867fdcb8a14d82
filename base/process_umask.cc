#include "base/process_umask.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace ncp::base {
namespace {

constexpr mode_t kDefaultUmask = 022;

// What a read of a status file gave. The Name line comes first and the kernel escapes any
// newline in a name, so a "\nKey:\t" found in the text is that key's own line.
struct StatusFields {
  bool is_status = false;  // it read as a status file at all (a Tgid line)
  pid_t tgid = -1;
  int umask = -1;  // -1: no Umask line (a process whose main thread has ended)
};

long FieldValue(const char* text, const char* key, int base) {
  const char* at = std::strstr(text, key);
  if (at == nullptr) return -1;
  char* end = nullptr;
  const long value = std::strtol(at + std::strlen(key), &end, base);
  return end != at + std::strlen(key) && *end == '\n' ? value : -1;
}

StatusFields ReadStatus(int fd) {
  // The lines wanted are the first few of some 1.5 KiB.
  char text[1024];
  const ssize_t n = pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return {};
  text[n] = '\0';
  StatusFields fields;
  fields.tgid = static_cast<pid_t>(FieldValue(text, "\nTgid:\t", 10));
  fields.is_status = std::strncmp(text, "Name:\t", 6) == 0 && fields.tgid > 0;
  fields.umask = static_cast<int>(FieldValue(text, "\nUmask:\t", 8));
  return fields;
}

// /proc/thread-self/status, or /proc/self/status, read once; -1 when unreadable.
int UmaskFromFile(const char* path, pid_t self) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const StatusFields fields = ReadStatus(fd);
  close(fd);
  return fields.is_status && fields.tgid == self ? fields.umask : -1;
}

mode_t UmaskOrDefault(int umask) {
  return umask >= 0 ? static_cast<mode_t>(umask & 0777) : kDefaultUmask;
}

// The kept fd and the process it was opened in, in one word so that a reader never pairs a fd
// with another process's pid: (pid << 32) | (fd + 1); 0 before the first read.
std::atomic<uint64_t> g_kept{0};

uint64_t Pack(pid_t pid, int fd) {
  return (uint64_t{static_cast<uint32_t>(pid)} << 32) | static_cast<uint32_t>(fd + 1);
}
pid_t PidOf(uint64_t kept) { return static_cast<pid_t>(kept >> 32); }
int FdOf(uint64_t kept) { return static_cast<int>(kept & 0xffffffffu) - 1; }

}  // namespace

mode_t CurrentUmask() {
  const pid_t self = getpid();
  int umask = UmaskFromFile("/proc/self/status", self);
  if (umask < 0) umask = UmaskFromFile("/proc/thread-self/status", self);
  return UmaskOrDefault(umask);
}

mode_t CurrentUmaskThroughKeptFd() {
  const pid_t self = getpid();
  for (int attempt = 0; attempt < 2; ++attempt) {
    uint64_t kept = g_kept.load(std::memory_order_acquire);
    StatusFields fields;
    if (FdOf(kept) >= 0) fields = ReadStatus(FdOf(kept));
    if (fields.is_status && fields.tgid == self && PidOf(kept) == self) {
      if (fields.umask >= 0) return UmaskOrDefault(fields.umask);
      break;  // the main thread has ended: only the calling thread's own status has it
    }
    // Not this process's status. Closed only when it is the status of the process that opened
    // it: our fd, inherited by a fork. Anything else is a number the process reused: not ours.
    const bool inherited = fields.is_status && fields.tgid == PidOf(kept) && PidOf(kept) != self;
    const int fresh = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fresh < 0) break;
    if (g_kept.compare_exchange_strong(kept, Pack(self, fresh), std::memory_order_acq_rel)) {
      if (inherited) close(FdOf(kept));
    } else {
      close(fresh);  // another thread replaced it first: read theirs
    }
  }
  return UmaskOrDefault(UmaskFromFile("/proc/thread-self/status", self));
}

}  // namespace ncp::base
