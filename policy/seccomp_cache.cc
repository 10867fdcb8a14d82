#include "policy/seccomp_cache.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/replace_file.h"
#include "base/unique_fd.h"
#include "policy/byte_codec.h"
#include "policy/owned_folder.h"
#include "policy/seccomp_compiler.h"
#include "policy/sha256.h"

namespace ncp::policy {
namespace {

// File layout: magic (8) | key (32) | u32 instruction count | u32 arch | instructions (8 each).
// Every part is a multiple of 8 bytes, so any valid file is too.
constexpr char kMagic[8] = {'N', 'C', 'P', 'B', 'P', 'F', '0', '1'};
constexpr size_t kHeaderSize = 8 + 32 + 8;
constexpr size_t kMaxFileSize = kHeaderSize + BPF_MAXINSNS * sizeof(sock_filter);

bool ReadAll(int fd, char* buf, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, buf + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += n;
  }
  return true;
}

// The cache folder, its last `depth` components created if missing: owned as
// policy/owned_folder.h requires, and the folder itself private to `owner`.
base::UniqueFd OpenPrivateDir(const std::string& path, uid_t owner, int depth) {
  base::UniqueFd dir = OpenOwnedFolder(path, owner, depth, /*create=*/true);
  struct stat st;
  if (!dir || ::fstat(dir.get(), &st) != 0 || st.st_uid != owner || (st.st_mode & 077) != 0) {
    return {};
  }
  return dir;
}

// The canonical bytes of a seccomp policy (rules and actions, not source locations): what the
// cache key is computed from. Changing this layout changes every key, so it stays byte-for-byte.
void WriteAction(internal::ByteWriter& w, const SeccompAction& a) {
  w.U8(static_cast<uint8_t>(a.kind));
  w.U32(static_cast<uint32_t>(a.errno_value));
}

std::string CanonicalSeccompPolicy(const SeccompPolicy& p) {
  internal::ByteWriter w;
  WriteAction(w, p.default_action);
  w.U32(static_cast<uint32_t>(p.rules.size()));
  for (const SeccompRule& rule : p.rules) {
    w.Str(rule.syscall);
    w.U32(static_cast<uint32_t>(rule.nr));
    WriteAction(w, rule.action);
    w.U32(static_cast<uint32_t>(rule.conditions.size()));
    for (const ArgCondition& c : rule.conditions) {
      w.U8(c.arg);
      w.U8(static_cast<uint8_t>(c.op));
      w.U64(c.mask);
      w.U64(c.value);
    }
  }
  return w.bytes();
}

}  // namespace

SeccompCacheKey ComputeSeccompCacheKey(const SeccompPolicy& policy, uint32_t arch) {
  internal::ByteWriter w;
  // v3: files from before the folders above the cache were pinned in sandboxes may have been
  // forged (v2: before policy state was covered at all).
  w.Str("ncp seccomp cache v3");
  w.Str(LibseccompVersion());
  w.U32(arch);
  w.Str(CanonicalSeccompPolicy(policy));
  return internal::Sha256(w.bytes());
}

std::string KeyToHex(const SeccompCacheKey& key) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : key) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

SeccompCache::SeccompCache(std::string disk_dir, uid_t owner, int create_depth)
    : disk_dir_(std::move(disk_dir)), owner_(owner), create_depth_(create_depth) {}

bool SeccompCache::PrepareDiskDir() {
  if (disk_dir_.empty()) return false;
  std::lock_guard lock(mutex_);
  return static_cast<bool>(OpenPrivateDir(disk_dir_, owner_, create_depth_));
}

std::string FilterOrigin::ToString() const {
  switch (kind) {
    case Kind::kCompiled:
      return path.empty() ? "compiled now (not cached on disk)" : "compiled now, stored in " + path;
    case Kind::kMemory:
      return "compiled earlier in this process";
    case Kind::kDiskCache:
      return "disk cache " + path;
  }
  return "?";
}

std::string SeccompCache::DefaultDiskDir() {
  if (::geteuid() == 0) return "/var/cache/ncp/seccomp";
  return UserDiskDir();
}

std::string SeccompCache::UserDiskDir() {
  // The passwd entry's home, not $HOME or $XDG_CACHE_HOME: a folder that an environment
  // variable names could be one an earlier sandbox (started with another environment, which
  // protected other folders) was free to fill.
  std::vector<char> buffer(16384);
  struct passwd entry {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr || found->pw_dir == nullptr || found->pw_dir[0] != '/') {
    return "";
  }
  return std::string(found->pw_dir) + "/.cache/ncp/seccomp";
}

std::string SeccompCache::DiskPath(const SeccompCacheKey& key) const {
  return disk_dir_ + "/" + KeyToHex(key) + ".bpf";
}

SeccompCache::Stats SeccompCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

base::StatusOr<std::vector<sock_filter>> SeccompCache::GetOrCompile(const SeccompPolicy& policy,
                                                                    uint32_t arch,
                                                                    FilterOrigin* origin) {
  const SeccompCacheKey key = ComputeSeccompCacheKey(policy, arch);
  FilterOrigin unused;
  if (origin == nullptr) origin = &unused;
  std::lock_guard lock(mutex_);
  if (auto it = memory_.find(key); it != memory_.end()) {
    ++stats_.memory_hits;
    *origin = {FilterOrigin::Kind::kMemory, ""};
    return it->second;
  }
  std::vector<sock_filter> program;
  if (!disk_dir_.empty() && LoadFromDisk(key, &program)) {
    ++stats_.disk_hits;
    *origin = {FilterOrigin::Kind::kDiskCache, DiskPath(key)};
  } else {
    base::StatusOr<std::vector<sock_filter>> compiled = CompileSeccomp(policy, arch);
    if (!compiled.ok()) return compiled.status();
    ++stats_.compiles;
    program = std::move(compiled).value();
    const bool stored = !disk_dir_.empty() && StoreOnDisk(key, arch, program);
    *origin = {FilterOrigin::Kind::kCompiled, stored ? DiskPath(key) : ""};
  }
  memory_[key] = program;
  return program;
}

bool SeccompCache::LoadFromDisk(const SeccompCacheKey& key, std::vector<sock_filter>* program) {
  base::UniqueFd dir = OpenPrivateDir(disk_dir_, owner_, create_depth_);
  if (!dir) return false;
  const std::string name = KeyToHex(key) + ".bpf";
  // Non-blocking: a FIFO under the name must not hang the start (it fails S_ISREG below).
  base::UniqueFd fd(
      ::openat(dir.get(), name.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return false;  // simply not cached yet
  struct stat st;
  // One link: a second name elsewhere could be a path a sandbox can write through.
  const bool trusted = ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == owner_ &&
                       (st.st_mode & 077) == 0 && st.st_nlink == 1 && st.st_size % 8 == 0 &&
                       static_cast<size_t>(st.st_size) > kHeaderSize &&
                       static_cast<size_t>(st.st_size) <= kMaxFileSize;
  std::string bytes(trusted ? st.st_size : 0, '\0');
  if (!trusted || !ReadAll(fd.get(), bytes.data(), bytes.size())) {
    ++stats_.disk_rejects;
    return false;
  }
  internal::ByteReader header(std::string_view(bytes).substr(8 + 32, 8));
  const uint32_t count = header.U32();
  if (std::memcmp(bytes.data(), kMagic, 8) != 0 ||
      std::memcmp(bytes.data() + 8, key.data(), key.size()) != 0 ||
      kHeaderSize + size_t{count} * sizeof(sock_filter) != bytes.size()) {
    ++stats_.disk_rejects;
    return false;
  }
  program->resize(count);
  std::memcpy(program->data(), bytes.data() + kHeaderSize, count * sizeof(sock_filter));
  return true;
}

bool SeccompCache::StoreOnDisk(const SeccompCacheKey& key, uint32_t arch,
                               const std::vector<sock_filter>& program) {
  base::UniqueFd dir = OpenPrivateDir(disk_dir_, owner_, create_depth_);
  if (!dir) return false;  // the cache is an optimisation; never fail a start because of it
  std::string bytes(kMagic, sizeof kMagic);
  bytes.append(reinterpret_cast<const char*>(key.data()), key.size());
  internal::ByteWriter counts;
  counts.U32(static_cast<uint32_t>(program.size()));
  counts.U32(arch);
  bytes += counts.bytes();
  bytes.append(reinterpret_cast<const char*>(program.data()), program.size() * sizeof(sock_filter));

  // The file appears whole or not at all, even with concurrent starts.
  if (!base::ReplaceFileAt(dir.get(), KeyToHex(key) + ".bpf", bytes, 0600, /*sync_first=*/false)
           .ok()) {
    return false;
  }
  ++stats_.disk_writes;
  return true;
}

SeccompCache& ProcessSeccompCache() {
  // A user's: `.cache/ncp/seccomp` below the home; root's: `ncp/seccomp` below /var/cache.
  static SeccompCache* const cache =
      new SeccompCache(SeccompCache::DefaultDiskDir(), ::geteuid(), ::geteuid() != 0 ? 3 : 2);
  return *cache;
}

}  // namespace ncp::policy
