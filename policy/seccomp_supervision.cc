#include "policy/seccomp_supervision.h"

namespace ncp::policy {
namespace {

bool Kills(const SeccompAction& action) { return action.kind == SeccompActionKind::kKillProcess; }

// The comparisons libseccomp compiles, on the whole 64-bit argument (unsigned).
bool Holds(const ArgCondition& c, const uint64_t args[6]) {
  const uint64_t arg = args[c.arg < 6 ? c.arg : 0];
  switch (c.op) {
    case ArgOp::kEq:
      return arg == c.value;
    case ArgOp::kNe:
      return arg != c.value;
    case ArgOp::kLt:
      return arg < c.value;
    case ArgOp::kLe:
      return arg <= c.value;
    case ArgOp::kGt:
      return arg > c.value;
    case ArgOp::kGe:
      return arg >= c.value;
    case ArgOp::kMaskedEq:
      return (arg & c.mask) == c.value;
  }
  return false;
}

bool Matches(const SeccompRule& rule, const uint64_t args[6]) {
  for (const ArgCondition& c : rule.conditions) {
    if (!Holds(c, args)) return false;
  }
  return true;
}

}  // namespace

CallDecision DecideCall(const SeccompPolicy& policy, const SeccompCall& call) {
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const SeccompRule& rule = policy.rules[i];
    if (rule.nr == call.nr && Matches(rule, call.args)) {
      return {rule.action, static_cast<int>(i)};
    }
  }
  return {policy.default_action, -1};
}

SeccompPolicy LearningPolicy() {
  SeccompPolicy policy;
  policy.default_action = {SeccompActionKind::kNotify, 0};
  return policy;
}

std::optional<SeccompPolicy> SupervisedPolicy(const SeccompPolicy& policy) {
  SeccompPolicy out = policy;
  bool any = false;
  const auto supervise = [&any](SeccompAction& action) {
    if (!Kills(action)) return;
    action = {SeccompActionKind::kNotify, 0};
    any = true;
  };
  supervise(out.default_action);
  for (SeccompRule& rule : out.rules) supervise(rule.action);
  if (!any) return std::nullopt;
  return out;
}

std::optional<SourceLoc> KillingRuleLocation(const SeccompPolicy& policy, const SeccompCall& call) {
  // Conditional rules of one syscall are alternatives: one that kills and matches decides.
  bool matched = false;
  for (const SeccompRule& rule : policy.rules) {
    if (rule.nr != call.nr || !Matches(rule, call.args)) continue;
    if (Kills(rule.action)) {
      if (rule.loc.file.empty()) return std::nullopt;
      return rule.loc;
    }
    matched = true;
  }
  // A rule matched but none kills: the filter and the policy disagree.
  if (matched) return std::nullopt;
  // No rule of the syscall matched (or none names it): the default decided.
  if (!Kills(policy.default_action) || policy.default_loc.file.empty()) return std::nullopt;
  return policy.default_loc;
}

}  // namespace ncp::policy
