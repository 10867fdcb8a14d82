// What Landlock ABIs 3 to 7 added to the kernel's user API, for systems whose
// <linux/landlock.h> stops earlier (Debian 12's knows ABI 2). The values are the kernel's
// (include/uapi/linux/landlock.h); our own names, so nothing clashes with a newer header.
#pragma once

#include <linux/landlock.h>

#include <cstdint>

namespace ncp::launcher::landlock_abi {

// landlock_create_ruleset's argument as of ABI 6. A kernel that knows a shorter struct accepts
// this one as long as the fields it does not know are zero.
struct RulesetAttr {
  uint64_t handled_access_fs = 0;
  uint64_t handled_access_net = 0;  // ABI 4; ncp-launch leaves the network to namespaces
  uint64_t scoped = 0;              // ABI 6
};
static_assert(sizeof(RulesetAttr) == 24);

// ABI 1 and 2 (every right in the Debian 12 header).
inline constexpr uint64_t kAccessFsAbi1 =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
    LANDLOCK_ACCESS_FS_MAKE_SYM;
inline constexpr uint64_t kAccessFsRefer = LANDLOCK_ACCESS_FS_REFER;  // ABI 2
inline constexpr uint64_t kAccessFsTruncate = 1ULL << 14;             // ABI 3
inline constexpr uint64_t kAccessFsIoctlDev = 1ULL << 15;             // ABI 5

// ABI 6: the domain may not reach out of itself.
inline constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;
inline constexpr uint64_t kScopeSignal = 1ULL << 1;

// ABI 7: landlock_restrict_self flags for audit logging of denials. ncp-launch keeps the
// kernel's default (log denials before the exec, which would be a launcher bug; not those of
// the sandboxed program, whose expected refusals would flood the audit log), so it passes none.
inline constexpr uint32_t kRestrictSelfLogSameExecOff = 1U << 0;
inline constexpr uint32_t kRestrictSelfLogNewExecOn = 1U << 1;
inline constexpr uint32_t kRestrictSelfLogSubdomainsOff = 1U << 2;

// Rights that a rule on a file (not a directory) may hold; the others are about directory
// contents and make landlock_add_rule fail with EINVAL on a file.
inline constexpr uint64_t kAccessFsOnFiles =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
    kAccessFsTruncate | kAccessFsIoctlDev;

// Every file-system right the ABI `abi` has (ncp-launch handles all of them).
constexpr uint64_t HandledAccessFs(int abi) {
  uint64_t access = abi >= 1 ? kAccessFsAbi1 : 0;
  if (abi >= 2) access |= kAccessFsRefer;
  if (abi >= 3) access |= kAccessFsTruncate;
  if (abi >= 5) access |= kAccessFsIoctlDev;
  return access;
}

constexpr uint64_t Scopes(int abi) {
  return abi >= 6 ? kScopeAbstractUnixSocket | kScopeSignal : 0;
}

}  // namespace ncp::launcher::landlock_abi
