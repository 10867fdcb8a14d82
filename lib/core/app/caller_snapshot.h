// What a start takes from the calling thread at the call, besides its environment and working
// directory: its umask and its credentials (core/protocol/credentials.h).
//
// Both are in the main thread's /proc status text, which a start rereads for the umask anyway
// (base/own_status_file.h). A start from the main thread takes its credentials from that same
// read instead of some 50 syscalls: with cold caches (a start now and then) those cost as much
// as the read. Another thread's credentials may differ from the main thread's (a raw setresuid
// changes one thread only), so a start from another thread asks the syscalls. So does a start
// where a copy of the process could not be told from it (no MADV_WIPEONFORK:
// base/process_generation.h), or from a process sharing its memory (CLONE_VM), which would read
// the kept fd of another process.
#pragma once

#include <sys/types.h>

#include "base/status.h"
#include "core/protocol/credentials.h"

namespace ncp::core {

struct CallerSnapshot {
  mode_t umask = 022;
  Credentials credentials;
};

// An error when the credentials cannot be read (E2BIG: more groups than a start can carry).
base::Status CaptureCaller(CallerSnapshot* out);

}  // namespace ncp::core
