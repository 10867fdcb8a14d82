// ncp::policy::Plan: everything ncp-launch needs to build one sandbox, as validated plain data.
// ncp-launch resolves its profiles and options into a Plan (policy/resolve.h) before it changes
// anything, then builds the sandbox from the Plan alone.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/seccomp_policy.h"

// In the global namespace, where ADL finds it for std::vector<sock_filter> comparisons.
inline bool operator==(const sock_filter& a, const sock_filter& b) {
  return a.code == b.code && a.jt == b.jt && a.jf == b.jf && a.k == b.k;
}

namespace ncp::policy {

struct Namespaces {
  bool user = false;
  bool pid = false;
  bool net = false;
  bool ipc = false;
  bool uts = false;
  bool cgroup = false;
  bool mount = false;

  bool Any() const { return user || pid || net || ipc || uts || cgroup || mount; }
  bool operator==(const Namespaces&) const = default;
};

enum class MountKind : uint8_t { kReadOnlyBind = 0, kBind = 1, kTmpfs = 2 };

// A file as the kernel tells files apart (st_dev, st_ino): policy/source_identity.h.
struct SourceIdentity {
  uint64_t dev = 0;
  uint64_t ino = 0;

  bool operator==(const SourceIdentity&) const = default;
};

// Applied in order, so a later mount may cover an earlier one.
struct Mount {
  MountKind kind = MountKind::kReadOnlyBind;
  std::string source;       // empty for tmpfs
  std::string destination;  // absolute path inside the sandbox
  bool optional = false;    // *-try: skip silently when the source does not exist
  // Binds: the source as the parent checked it (ncp-launch records it before the policy-state
  // check). The child mounts nothing else: a source it opens with another identity, or one
  // that had none because it did not exist then, fails the start.
  std::optional<SourceIdentity> identity;
  // Set on the pins and covers over policy state (policy_state.h): the source lies in an earlier
  // bind and the destination is its own place there, so the destination must already exist and
  // be the source itself; nothing is created for it.
  bool in_place = false;
  // tmpfs only: its size in bytes (the resolver fills it from `tmpfs = DEST:SIZE`, else from
  // `tmpfs-size`); kUnboundedTmpfs leaves it to the kernel (half of the host's memory).
  uint64_t size = 0;

  bool operator==(const Mount&) const = default;
};

// A tmpfs's pages are the host's memory, shared by every process of the sandbox: without a
// size the kernel allows half of the host's RAM per tmpfs.
inline constexpr uint64_t kDefaultTmpfsSize = 64ull << 20;
inline constexpr uint64_t kUnboundedTmpfs = ~0ull;

struct Rlimit {
  std::string name;   // "nofile", "as", ... as written
  int resource = 0;   // RLIMIT_*
  uint64_t soft = 0;  // RLIM_INFINITY for "unlimited"
  uint64_t hard = 0;

  bool operator==(const Rlimit&) const = default;
};

enum class EnvOpKind : uint8_t { kSet = 0, kUnset = 1 };

// Applied in order to the starting environment (empty when Plan::clear_env).
struct EnvOp {
  EnvOpKind kind = EnvOpKind::kSet;
  std::string name;
  std::string value;

  bool operator==(const EnvOp&) const = default;
};

// The highest fd number `fd NAME=N` accepts: the kernel's default nr_open is 1048576, so no
// ordinary process has an fd above this (and N + 1 never overflows).
inline constexpr int kMaxFdNumber = (1 << 20) - 1;

// Fd `fd` of the launcher is handed to the child under `name` (OH's NativeChildProcess_Fd).
struct FdMapping {
  std::string name;
  int fd = -1;

  bool operator==(const FdMapping&) const = default;
};

struct SeccompPlan {
  bool enabled = false;
  // Install the filter before the child's library is loaded, instead of just before its entry.
  bool before_load = false;
  uint32_t arch = 0;  // AUDIT_ARCH_* the program checks for
  SeccompPolicy policy;
  // `program` reports kills to ncp-launch instead of killing (seccomp_supervision.h): the
  // filter must be installed with a listener that ncp-launch receives.
  bool supervised = false;
  std::vector<sock_filter> program;  // ready for seccomp(SECCOMP_SET_MODE_FILTER)
};

bool operator==(const SeccompPlan& a, const SeccompPlan& b);

// Landlock (launcher/landlock.h): file-access rules that mirror the mounts, and signal and
// abstract-socket scoping, applied right before seccomp.
enum class LandlockMode : uint8_t {
  kOff = 0,
  kBestEffort = 1,  // as far as the running kernel's ABI goes; none without Landlock
  kRequired = 2,    // fail the start unless the kernel's ABI is at least min_abi
};

// The ABI `required` means when no number is given: 3 is the first with the truncate right,
// so a file outside the writable binds can be neither written nor truncated.
inline constexpr uint32_t kDefaultRequiredLandlockAbi = 3;
// The highest ABI whose rights ncp-launch knows and uses (launcher/landlock_abi.h).
inline constexpr uint32_t kHighestKnownLandlockAbi = 7;

struct LandlockPlan {
  LandlockMode mode = LandlockMode::kBestEffort;
  uint32_t min_abi = 0;  // kRequired only

  bool operator==(const LandlockPlan&) const = default;
};

// cgroup v2 limits for the sandbox as a whole (launcher/cgroup.h): applied where the host
// delegates a cgroup v2 subtree with the controllers; `required` fails the start otherwise.
enum class CgroupMode : uint8_t { kBestEffort = 0, kRequired = 1 };

struct CgroupPlan {
  CgroupMode mode = CgroupMode::kBestEffort;
  std::optional<uint64_t> memory_max;   // bytes: memory.max (and memory.swap.max 0)
  std::optional<uint64_t> pids_max;     // pids.max
  std::optional<uint32_t> cpu_percent;  // cpu.max, in percent of one CPU (1..100000)

  bool Any() const { return memory_max || pids_max || cpu_percent; }
  bool operator==(const CgroupPlan&) const = default;
};

struct Plan {
  Namespaces namespaces;
  std::vector<Mount> mounts;
  std::optional<std::string> hostname;
  std::optional<std::string> chdir;  // the program's working directory, inside the sandbox
  std::optional<uint32_t> uid;  // id inside the user namespace; unset = same as outside
  std::optional<uint32_t> gid;
  std::vector<Rlimit> rlimits;
  // --time-limit: the sandbox is killed this long after its program started.
  std::optional<uint64_t> time_limit_ms;
  CgroupPlan cgroup;
  // The size of a tmpfs that names none, and of the /tmp ncp-launch adds when the plan has none.
  uint64_t tmpfs_size = kDefaultTmpfsSize;
  bool clear_env = false;
  std::vector<EnvOp> env;
  std::vector<FdMapping> fds;
  SeccompPlan seccomp;
  LandlockPlan landlock;
  std::vector<std::string> warnings;  // rendered warnings from resolving, for --verbose

  bool operator==(const Plan&) const = default;
};

}  // namespace ncp::policy
