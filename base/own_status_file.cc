#include "base/own_status_file.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <string>

#include "base/fd_numbers.h"
#include "base/process_generation.h"
#include "base/unique_fd.h"

namespace ncp::base {
namespace {

// The kept fd and the file it was opened on. A number the program closed and reused names
// another file: its device and inode tell it apart before anything reads it (a read of some
// devices blocks).
struct KeptStatus {
  int fd = -1;
  uint64_t opener = 0;  // the process that opened it (process_generation.h)
  pid_t opener_pid = 0;
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

// The credentials are read from this file: a copy of the process (a raw clone, which may even
// have the same pid in a pid namespace of its own) must never read its parent's.
bool StillKept(const KeptStatus& kept) {
  return kept.opener == ThisProcessGeneration() && kept.opener_pid == getpid() && SameFile(kept);
}

// A copy made with CLONE_VM (not a thread) shares our memory, and so the kept fd and the
// generation, but is another process: the file is not its status, and the fd is not its to
// replace (the two would take turns reopening it).
bool SharesOurMemoryAsAnotherProcess(const KeptStatus& kept) {
  return kept.fd >= 0 && kept.opener == ThisProcessGeneration() && kept.opener_pid != getpid();
}

// A procfs file, not something mounted over /proc (the opener's own /proc/self/status: what
// the kernel resolves "self" to).
constexpr long kProcSuperMagic = 0x9fa0;

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
  struct statfs fs {};
  if (kept.fd >= 0 &&
      (fstat(kept.fd, &st) != 0 || fstatfs(kept.fd, &fs) != 0 || fs.f_type != kProcSuperMagic)) {
    close(kept.fd);
    kept.fd = -1;
  }
  kept.opener = ThisProcessGeneration();
  kept.opener_pid = getpid();
  kept.dev = st.st_dev;
  kept.ino = st.st_ino;
  return kept;
}

}  // namespace

void InstallOwnStatusForkHandler() {
  static std::once_flag fork_handler;
  std::call_once(fork_handler, InstallForkHandler);
}

std::optional<std::string_view> ReadOwnStatus(char (&buffer)[kOwnStatusBufferBytes]) {
  InstallOwnStatusForkHandler();
  int fd = -1;
  {
    std::lock_guard lock(g_kept_mu);
    if (SharesOurMemoryAsAnotherProcess(g_kept)) return std::nullopt;
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
