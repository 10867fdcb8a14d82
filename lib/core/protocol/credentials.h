// The credentials a child is started with: the calling thread's at the call, never the fork
// server's. The server is started once, with the credentials the application had then; an
// application that later drops privileges (or one thread that drops its own with raw
// setresuid, which changes only that thread) must not get children with the old ones.
//
// The library captures the calling thread's credentials with every start request: from the
// status text it reads for the umask anyway when the caller is the main thread (whose text it
// is: core/app/caller_snapshot.h), else with syscalls (getresuid, getresgid, getgroups, capget,
// prctl: about 50 of them). The fork server compares them with its own; when they differ, its
// forked child takes the caller's before anything else runs, checks that it now has exactly
// them, and the start fails when it cannot (the caller holds something the server does not
// have).
//
// A shared format (a field of the fork server's start message): the application's starters
// capture it; the fork server compares it with its own and its forked children adopt it.

#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

namespace ncp::core {

// Supplementary groups a start can carry (Linux allows 65536; more is refused with E2BIG).
inline constexpr uint32_t kMaxCallerGroups = 1024;

// Fixed-size and trivially copyable: it travels in the fork server's start message.
struct Credentials {
  uint32_t uid[4] = {};  // real, effective, saved, filesystem
  uint32_t gid[4] = {};
  uint64_t cap_effective = 0;
  uint64_t cap_permitted = 0;
  uint64_t cap_inheritable = 0;
  uint64_t cap_bounding = 0;
  uint64_t cap_ambient = 0;
  uint32_t securebits = 0;
  uint32_t no_new_privs = 0;
  uint32_t seccomp_mode = 0;  // 0 none, 2 filter: a filter cannot be copied to another process
  uint32_t group_count = 0;
  uint32_t groups[kMaxCallerGroups] = {};
};

// The calling thread's credentials. Returns false with errno set (E2BIG: too many groups).
bool CaptureThreadCredentials(Credentials* out);

// The credentials a /proc/PID/status text shows (the securebits, which it does not show, from
// prctl: so only for the text of the calling thread's own status, or its process's when the
// caller is the main thread). False when a line is missing, cut or malformed, or there are more
// groups than kMaxCallerGroups: CaptureThreadCredentials then says why, if anything is wrong.
bool CredentialsInStatus(std::string_view status, Credentials* out);

// Equal in every field that grants or limits privilege.
bool SameCredentials(const Credentials& a, const Credentials& b);

// Makes this (single-threaded, just forked) process's credentials exactly `want`, then reads
// them back. Returns 0, or the errno that stopped it (EPERM when `want` holds more than this
// process may take). Clears the parent-death signal, as every credential change does.
int AdoptCredentials(const Credentials& want);

}  // namespace ncp::core
