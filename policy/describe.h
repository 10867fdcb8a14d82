// Human-readable views of a plan: `ncp-launch --check` and `--explain-seccomp`.
#pragma once

#include <cstdint>
#include <string>

#include "policy/plan.h"

namespace ncp::policy {

// Namespaces, mounts, identity, limits, environment, fds and a seccomp summary.
std::string DescribePlan(const Plan& plan);

// One line per syscall that has a rule ("socket  allow if arg0 == 0x1   (default.profile:40)"),
// then the default action for every other syscall, then the architecture check.
std::string ExplainSeccomp(const Plan& plan);

// A duration as a person writes it: "2 s", "0.3 s", "1.25 s" (milliseconds, trailing zeros
// dropped). The one format of a time limit, in --check and in ncp-launch's messages.
std::string SecondsText(uint64_t ms);

}  // namespace ncp::policy
