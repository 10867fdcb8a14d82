// A small classic-BPF interpreter for seccomp programs, so tests can check what a compiled
// filter returns for a given syscall without loading it into a kernel.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace ncp::policy::testing {

// The filter's return value (SECCOMP_RET_*), or nullopt when the program is malformed
// (bad opcode, out-of-range jump or load, falls off the end).
std::optional<uint32_t> EvaluateSeccomp(const std::vector<sock_filter>& program,
                                        const seccomp_data& data);

// seccomp_data for a call of `nr` with `args` on `arch`.
seccomp_data MakeSeccompData(uint32_t arch, int nr, std::initializer_list<uint64_t> args = {});

}  // namespace ncp::policy::testing
