// Compiled seccomp programs, cached so that only the first start with a given policy runs
// libseccomp's compiler. Two levels: memory (this process) and disk (shared by every later
// ncp-launch process of the same user), keyed by SHA-256 of the canonical policy, libseccomp's
// version and the architecture.
//
// The disk level fails closed: a file is used only if the directory and the file belong to the
// expected user and nobody else may write them, the file has one link, the size fits, and the
// key embedded in the file matches. Anything else is ignored and the policy recompiled.
//
// Why a file that passes can be trusted, i.e. no sandbox could have written it:
// - root's cache is /var/cache/ncp/seccomp (root, 0700). Sandboxes never run as host root by
//   default (isolation ids), so a file a sandbox managed to write would be owned by another
//   uid and refused; and ncp-launch covers the folder read-only in any sandbox that binds it
//   writable (policy/policy_state.h), which also holds for a sandbox run as host root.
// - a user's sandboxes run as that user, so ownership proves nothing there: what protects the
//   user's cache is that every sandbox with a mount namespace that could see the folder gets a
//   read-only bind over it, and that a writable bind from inside it is refused. A sandbox that
//   shares the host's mounts (no unshare-mount) is not a file-system boundary at all: it can
//   rewrite this cache as it can the user's shell start-up files; --check says so.
// - nothing outside the cache folder is created: only `ncp/seccomp` below a folder that already
//   exists and that only its owner (the user or root) may write (/var/cache), or
//   `.cache/ncp/seccomp` below such a home (the passwd entry's, whatever $HOME says); otherwise
//   there is no disk cache. ncp-launch
//   creates the folder before it starts a sandbox, so no sandbox can create it first.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "policy/policy_state.h"
#include "policy/seccomp_policy.h"

namespace ncp::policy {

using SeccompCacheKey = std::array<uint8_t, 32>;

SeccompCacheKey ComputeSeccompCacheKey(const SeccompPolicy& policy, uint32_t arch);
std::string KeyToHex(const SeccompCacheKey& key);

// Where a compiled program came from, for --check and --verbose.
struct FilterOrigin {
  enum class Kind : uint8_t { kCompiled, kMemory, kDiskCache };
  Kind kind = Kind::kCompiled;
  std::string path;  // the cache file, for kDiskCache; where it was stored, after a compile

  std::string ToString() const;
};

class SeccompCache {
 public:
  struct Stats {
    uint64_t memory_hits = 0;
    uint64_t disk_hits = 0;
    uint64_t compiles = 0;
    uint64_t disk_rejects = 0;  // files present but refused (owner, mode, size, key, ...)
    uint64_t disk_writes = 0;
  };

  // `disk_dir` empty: memory only. Files and the directory must belong to `owner`. Only the
  // last `create_depth` components of `disk_dir` are ever created (0700).
  explicit SeccompCache(std::string disk_dir = "", uid_t owner = ::geteuid(), int create_depth = 2);

  base::StatusOr<std::vector<sock_filter>> GetOrCompile(const SeccompPolicy& policy, uint32_t arch,
                                                        FilterOrigin* origin = nullptr);
  Stats stats() const;
  const std::string& disk_dir() const { return disk_dir_; }
  // Creates the disk folder now if it can be (see above), so that it exists, and can be
  // covered read-only, before any sandbox that could otherwise create it runs.
  bool PrepareDiskDir();
  // Path of the file that holds `key` (whether or not it exists).
  std::string DiskPath(const SeccompCacheKey& key) const;

  // Root: /var/cache/ncp/seccomp (its environment does not move it); others: UserDiskDir().
  static std::string DefaultDiskDir();
  // <the passwd entry's home>/.cache/ncp/seccomp, else "" (no disk cache). Never moved by the
  // environment: every start of the user protects and trusts the same folder.
  static std::string UserDiskDir();
  // The last components of disk_dir() that are created when missing.
  int create_depth() const { return create_depth_; }

 private:
  bool LoadFromDisk(const SeccompCacheKey& key, std::vector<sock_filter>* program);
  bool StoreOnDisk(const SeccompCacheKey& key, uint32_t arch,
                   const std::vector<sock_filter>& program);

  const std::string disk_dir_;
  const uid_t owner_;
  const int create_depth_;
  mutable std::mutex mutex_;
  std::map<SeccompCacheKey, std::vector<sock_filter>> memory_;
  Stats stats_;
};

// One cache per process, with the default disk directory.
SeccompCache& ProcessSeccompCache();

}  // namespace ncp::policy
