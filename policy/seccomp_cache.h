// Compiled seccomp programs, cached so that only the first start with a given policy runs
// libseccomp's compiler. Two levels: memory (this process) and disk (shared by every later
// ncp-launch process of the same user), keyed by SHA-256 of the canonical policy, libseccomp's
// version and the architecture.
//
// The disk level fails closed: a file is used only if the directory and the file belong to the
// expected user and nobody else may write them, the size fits, and the key embedded in the
// file matches. Anything else is ignored and the policy recompiled.
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
#include "policy/seccomp_policy.h"

namespace ncp::policy {

using SeccompCacheKey = std::array<uint8_t, 32>;

SeccompCacheKey ComputeSeccompCacheKey(const SeccompPolicy& policy, uint32_t arch);
std::string KeyToHex(const SeccompCacheKey& key);

class SeccompCache {
 public:
  struct Stats {
    uint64_t memory_hits = 0;
    uint64_t disk_hits = 0;
    uint64_t compiles = 0;
    uint64_t disk_rejects = 0;  // files present but refused (owner, mode, size, key, ...)
    uint64_t disk_writes = 0;
  };

  // `disk_dir` empty: memory only. Files and the directory must belong to `owner`.
  explicit SeccompCache(std::string disk_dir = "", uid_t owner = ::geteuid());

  base::StatusOr<std::vector<sock_filter>> GetOrCompile(const SeccompPolicy& policy, uint32_t arch);
  Stats stats() const;
  const std::string& disk_dir() const { return disk_dir_; }
  // Path of the file that holds `key` (whether or not it exists).
  std::string DiskPath(const SeccompCacheKey& key) const;

  // $XDG_CACHE_HOME/ncp/seccomp, else $HOME/.cache/ncp/seccomp, else "" (no disk cache).
  static std::string DefaultDiskDir();

 private:
  bool LoadFromDisk(const SeccompCacheKey& key, std::vector<sock_filter>* program);
  void StoreOnDisk(const SeccompCacheKey& key, uint32_t arch,
                   const std::vector<sock_filter>& program);

  const std::string disk_dir_;
  const uid_t owner_;
  mutable std::mutex mutex_;
  std::map<SeccompCacheKey, std::vector<sock_filter>> memory_;
  Stats stats_;
};

// One cache per process, with the default disk directory.
SeccompCache& ProcessSeccompCache();

}  // namespace ncp::policy
