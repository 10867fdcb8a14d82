// Plan ⇄ bytes, so the parent can resolve and compile the policy and hand the result to
// ncp-launch over an fd. Format: "NCPPLAN\0", u32 version, u32 payload length, payload
// (little-endian fields). DeserializePlan checks every length and count and the version, and
// accepts nothing but a complete, well-formed plan.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "policy/plan.h"

namespace ncp::policy {

inline constexpr uint32_t kPlanFormatVersion = 4;  // 3: --chdir, 4: bind source identities

std::string SerializePlan(const Plan& plan);
base::StatusOr<Plan> DeserializePlan(std::string_view bytes);

// The canonical bytes of a seccomp policy (rules and actions, not source locations); what the
// seccomp cache key is computed from.
std::string CanonicalSeccompPolicy(const SeccompPolicy& policy);

}  // namespace ncp::policy
