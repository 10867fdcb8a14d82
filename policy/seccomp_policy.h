// The seccomp part of a plan as plain data: a default action and per-syscall rules with
// optional argument conditions. Produced by the resolver (from profile options or an OCI JSON
// file), consumed by the compiler, the explainer and the plan serialiser.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy/diagnostic.h"

namespace ncp::policy {

enum class SeccompActionKind : uint8_t {
  kAllow = 0,
  kErrno = 1,
  kKillProcess = 2,
  kKillThread = 3,
  kTrap = 4,
  kLog = 5,
  // Never written in a profile: the compiled form of kill-process when ncp-launch supervises
  // the filter (seccomp_supervision.h), so that it can name what was refused.
  kNotify = 6,
};

struct SeccompAction {
  SeccompActionKind kind = SeccompActionKind::kAllow;
  int errno_value = 0;  // only meaningful for kErrno

  bool operator==(const SeccompAction&) const = default;
};

// Comparison of one syscall argument. kMaskedEq compares (arg & mask) == value; the other
// operators compare the whole 64-bit argument with `value`.
enum class ArgOp : uint8_t { kEq = 0, kNe, kLt, kLe, kGt, kGe, kMaskedEq };

struct ArgCondition {
  uint8_t arg = 0;  // 0..5
  ArgOp op = ArgOp::kEq;
  uint64_t mask = 0;  // only for kMaskedEq
  uint64_t value = 0;

  bool operator==(const ArgCondition&) const = default;
};

// One rule for one syscall. All conditions must hold (AND); several rules for the same syscall
// are alternatives (OR). A rule without conditions applies to every call.
struct SeccompRule {
  std::string syscall;
  int nr = -1;  // number on the architecture the policy was resolved for
  SeccompAction action;
  std::vector<ArgCondition> conditions;
  SourceLoc loc;  // where the rule was written, for explanations

  bool operator==(const SeccompRule& o) const {
    return syscall == o.syscall && nr == o.nr && action == o.action && conditions == o.conditions;
  }
};

struct SeccompPolicy {
  SeccompAction default_action{SeccompActionKind::kErrno, 1 /* EPERM */};
  SourceLoc default_loc;           // where the default was set (none: the built-in EPERM)
  std::vector<SeccompRule> rules;  // sorted by syscall number, rules of one syscall together

  bool operator==(const SeccompPolicy& o) const {
    return default_action == o.default_action && rules == o.rules;
  }
};

// "allow", "errno:EPERM", "kill-process", ... — the spelling used by options and explanations.
std::string ActionToString(const SeccompAction& action);

}  // namespace ncp::policy
