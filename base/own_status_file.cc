#include "base/own_status_file.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <string>

#include "base/fd_numbers.h"
#include "base/unique_fd.h"

namespace ncp::base {
namespace {

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

std::optional<std::string_view> ReadOwnStatus(char (&buffer)[kOwnStatusBufferBytes]) {
  static std::once_flag fork_handler;
  std::call_once(fork_handler, InstallForkHandler);
  int fd = -1;
  {
    std::lock_guard lock(g_kept_mu);
    // Not ours any more (the program's now, so left open), or inherited without fork() (a raw
    // clone: left open too, one fd): open our own.
    if (!StillKept(g_kept)) g_kept = OpenStatus();
    fd = g_kept.fd;
  }
  if (fd < 0) return std::nullopt;
  // The kernel writes the whole text at each read from offset 0: one read has it all.
  const ssize_t n = pread(fd, buffer, sizeof buffer, 0);
  if (n <= 0) return std::nullopt;
  return std::string_view(buffer, static_cast<size_t>(n));
}

std::optional<std::string_view> StatusLine(std::string_view text, std::string_view key) {
  std::string needle = "\n";
  needle.append(key);
  needle += ":\t";
  const size_t at = text.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t start = at + needle.size();
  const size_t end = text.find('\n', start);
  if (end == std::string_view::npos) return std::nullopt;
  return text.substr(start, end - start);
}

}  // namespace ncp::base
