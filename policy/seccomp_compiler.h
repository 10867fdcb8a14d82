// SeccompPolicy → classic BPF, through libseccomp. Pure: builds the program in memory and never
// loads it. Compiling costs milliseconds, so callers go through SeccompCache.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "policy/seccomp_policy.h"

namespace ncp::policy {

// The program checks the architecture first and kills the process on any other one (i386 or
// x32 entry points on x86_64 included); then the rules; then the default action. libseccomp's
// binary-tree optimisation (level 2) keeps long allowlists cheap at run time.
base::StatusOr<std::vector<sock_filter>> CompileSeccomp(const SeccompPolicy& policy, uint32_t arch);

// How many times CompileSeccomp ran libseccomp's compiler in this process (for cache tests).
uint64_t SeccompCompileCount();

// libseccomp's run-time version, "2.5.4"; part of the cache key.
std::string LibseccompVersion();

}  // namespace ncp::policy
