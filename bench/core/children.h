// Children the benchmarks start through the public API only (OH_Ability_StartNativeChildProcess,
// NCP_SetWarmPool, NCP_RegisterChildExitCallback), and when their exit callbacks ran.
// Every helper exits the benchmark on an error: a start that fails is never measured.
#pragma once

#include <cstdint>

#include "AbilityKit/native_child_process.h"
#include "ncp/native_child_process_ext.h"
#include "pipe.h"

namespace ncp::bench {

// The pool settings the header documents as the defaults (NCP_SetWarmPool): 2 normal
// children, 4 sandboxes a shape.
inline constexpr int32_t kDefaultPoolSize = NCP_WARM_POOL_DEFAULT_SIZE;
inline constexpr int32_t kDefaultPoolIdleMs = 30000;

// Cold: every start forks / builds its sandbox. Warm: the defaults.
void SetPoolCold();
void SetPoolDefault();

// Registers the exit callback that WaitForExit reads; call once, before the first start.
void TrackChildExits();

// Starts "libncp_bench_entries.so:<entry>" with `fds` (may be null), isolated (start_bench
// clears NCP_PROFILE, so the profile is "default") or normal; returns the pid.
int32_t StartEntry(const char* entry, bool isolated, NativeChildProcess_Fd* fds);

// Waits until the exit callback for `pid` has run and returns the CLOCK_MONOTONIC time (ns) at
// which it ran. Exits the benchmark unless the child exited with status 0.
int64_t WaitForExit(int32_t pid);

// As WaitForExit, for a child that may end any way (one the benchmark killed).
int64_t WaitForExitAnyStatus(int32_t pid);

// Reads exactly one 8-byte CLOCK_MONOTONIC timestamp a child wrote (bench_entries.c).
int64_t ReadTimestamp(int fd);

}  // namespace ncp::bench
