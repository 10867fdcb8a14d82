#include "base/process_umask.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "base/fd_numbers.h"

namespace ncp::base {
namespace {

constexpr mode_t kDefaultUmask = 022;

// The Umask line of a status file: -1 when there is none (the main thread of the process has
// ended) or the text is not a status file. The Name line comes first and the kernel escapes
// any newline in a name, so the "\nUmask:\t" found is that key's own line.
int UmaskInStatus(int fd) {
  // The line wanted is the second of some 1.5 KiB.
  char text[512];
  const ssize_t n = pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return -1;
  text[n] = '\0';
  if (std::strncmp(text, "Name:\t", 6) != 0) return -1;
  const char* line = std::strstr(text, "\nUmask:\t");
  if (line == nullptr) return -1;
  char* end = nullptr;
  const long value = std::strtol(line + 8, &end, 8);
  return end != line + 8 && *end == '\n' && value >= 0 ? static_cast<int>(value & 0777) : -1;
}

int UmaskFromFile(const char* path) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const int umask = UmaskInStatus(fd);
  close(fd);
  return umask;
}

mode_t UmaskOrDefault(int umask) { return umask >= 0 ? static_cast<mode_t>(umask) : kDefaultUmask; }

// The kept fd and the file it was opened on. A number the program closed and reused names
// another file: its device and inode tell it apart before anything reads it (a read of some
// devices blocks).
struct KeptStatus {
  int fd = -1;
  pid_t pid = 0;  // the process that opened it
  dev_t dev = 0;
  ino_t ino = 0;
};

std::mutex g_kept_mu;
KeptStatus g_kept;

// Still the file we opened (not a number the process closed and reused), whichever process
// asks. Only a second open of this very status file at the same number passes for it too.
bool SameFile(const KeptStatus& kept) {
  struct stat st {};
  return kept.fd >= 0 && fstat(kept.fd, &st) == 0 && st.st_dev == kept.dev && st.st_ino == kept.ino;
}

bool StillKept(const KeptStatus& kept) { return kept.pid == getpid() && SameFile(kept); }

// In a child of fork() the kept fd names the parent's status: the child closes it (when it is
// still ours: fstat is async-signal-safe) and opens its own when it asks.
void InstallForkHandler() {
  pthread_atfork([] { g_kept_mu.lock(); }, [] { g_kept_mu.unlock(); },
                 [] {
                   if (SameFile(g_kept)) close(g_kept.fd);
                   g_kept = {};
                   g_kept_mu.unlock();
                 });
}

KeptStatus OpenStatus() {
  KeptStatus kept;
  kept.fd = KeepOffStandardFds(UniqueFd(open("/proc/self/status", O_RDONLY | O_CLOEXEC))).release();
  struct stat st {};
  if (kept.fd >= 0 && fstat(kept.fd, &st) != 0) {
    close(kept.fd);
    kept.fd = -1;
  }
  kept.pid = getpid();
  kept.dev = st.st_dev;
  kept.ino = st.st_ino;
  return kept;
}

}  // namespace

mode_t CurrentUmask() {
  int umask = UmaskFromFile("/proc/self/status");
  if (umask < 0) umask = UmaskFromFile("/proc/thread-self/status");
  return UmaskOrDefault(umask);
}

mode_t CurrentUmaskThroughKeptFd() {
  static std::once_flag fork_handler;
  std::call_once(fork_handler, InstallForkHandler);
  KeptStatus kept;
  {
    std::lock_guard lock(g_kept_mu);
    // Not ours any more (the program's now, so left open), or inherited without fork() (a raw
    // clone: left open too, one fd): open our own.
    if (!StillKept(g_kept)) g_kept = OpenStatus();
    kept = g_kept;
  }
  if (kept.fd >= 0) {
    if (const int umask = UmaskInStatus(kept.fd); umask >= 0) return static_cast<mode_t>(umask);
  }
  return UmaskOrDefault(UmaskFromFile("/proc/thread-self/status"));
}

}  // namespace ncp::base
