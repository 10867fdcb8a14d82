#include "base/host_id_lease.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string_view>

namespace ncp::base {
namespace {

// mkdir -p for the parents (0755, as /run's own children are) and the last one 0700; then the
// last one is opened without following a symlink and checked, so a directory that someone else
// could write (and so plant or remove locks in) is never trusted.
StatusOr<UniqueFd> OpenLockDir(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string parent = path.substr(0, slash);
    if (mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoError("mkdir " + parent);
  }
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoError("mkdir " + path);
  UniqueFd dir(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return ErrnoError("open " + path);
  struct stat st {};
  if (fstat(dir.get(), &st) != 0) return ErrnoError("stat " + path);
  if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
    return Error(Code::kFailedPrecondition,
                 path + " must be a directory of uid " + std::to_string(geteuid()) +
                     " with mode 0700; refusing to trust the host-id locks in it");
  }
  return dir;
}

// What a lock file holds: empty, or this marker when its last holder had no pid namespace.
constexpr char kMayOutliveLease[] = "may-outlive-lease\n";

bool MayOutliveLease(int lock) {
  char text[sizeof(kMayOutliveLease)] = {};
  const ssize_t n = pread(lock, text, sizeof(text) - 1, 0);
  return n == static_cast<ssize_t>(sizeof(kMayOutliveLease) - 1) &&
         std::string_view(text) == kMayOutliveLease;
}

// Whether a process in /proc has `uid` as its real, effective, saved or file-system uid. Only
// for ids whose last sandbox had no pid namespace, so its cost (a read per process) is rare.
bool AnyProcessRunsAs(uint32_t uid) {
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return true;  // cannot tell: treat the id as taken
  bool found = false;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream status(std::string("/proc/") + entry->d_name + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) != 0) continue;
      std::istringstream ids(line.substr(4));
      uint64_t id = 0;
      while (ids >> id) found = found || id == uid;
      break;
    }
    if (found) break;
  }
  closedir(proc);
  return found;
}

}  // namespace

StatusOr<HostIdLease> LeaseHostId(const HostIdRange& range, bool ends_with_its_holders,
                                  const std::string& lock_dir) {
  StatusOr<UniqueFd> dir = OpenLockDir(lock_dir);
  if (!dir.ok()) return dir.status();
  // A launcher returns on its init's report, a moment before that init exits and lets its
  // copy of the lock go: a full range is scanned again for a short while before giving up, so
  // that back-to-back sandboxes on a small range do not fail by a hair.
  constexpr int kScans = 50;
  constexpr timespec kBetweenScans{0, 5'000'000};  // 5 ms: 50 scans span about 250 ms
  for (int scan = 0; scan < kScans; ++scan) {
    if (scan > 0) nanosleep(&kBetweenScans, nullptr);
    // Lowest first: the first sandbox always gets the range's first id, which keeps the ids
    // predictable for an operator reading ps.
    for (uint32_t k = 0; k < range.count; ++k) {
      const std::string name = std::to_string(range.first_uid + k);
      UniqueFd lock(
          openat(dir->get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!lock) return ErrnoError("open " + lock_dir + "/" + name);
      if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) return ErrnoError("flock " + lock_dir + "/" + name);
        continue;
      }
      if (MayOutliveLease(lock.get()) && AnyProcessRunsAs(range.first_uid + k)) continue;
      // Say whether this lease's processes may outlive it, for the next one of this id.
      const std::string_view mark = ends_with_its_holders ? "" : kMayOutliveLease;
      if (ftruncate(lock.get(), 0) != 0 ||
          pwrite(lock.get(), mark.data(), mark.size(), 0) != static_cast<ssize_t>(mark.size())) {
        return ErrnoError("write " + lock_dir + "/" + name);
      }
      return HostIdLease{range.first_uid + k, range.first_gid + k, std::move(lock)};
    }
  }
  return Error(Code::kResourceExhausted,
               "no free host id: all " + std::to_string(range.count) + " of " + range.source +
                   " (from " + std::to_string(range.first_uid) +
                   ") are held by running sandboxes, or by processes that a sandbox without a "
                   "pid namespace left behind (locks in " +
                   lock_dir + ")");
}

}  // namespace ncp::base
