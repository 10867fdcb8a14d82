// Supervised kills. A seccomp kill tells the parent only SIGSYS. So when the sandbox has a pid
// namespace, ncp-launch compiles each kill-process action as a user notification instead
// (SECCOMP_RET_USER_NOTIF): the kernel stops the calling thread and hands ncp-launch, outside
// the sandbox, the call's number and arguments; ncp-launch kills the process and can then
// name the call and the profile line that refused it. Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "policy/seccomp_policy.h"

namespace ncp::policy {

// A call as the filter saw it (the kernel's struct seccomp_data, less the instruction pointer).
struct SeccompCall {
  int nr = -1;
  uint32_t arch = 0;
  uint64_t args[6] = {};
};

// `policy` with every kill-process action, the default's included, as kNotify; nullopt when it
// kills nothing (there is nothing to supervise). kill-thread and trap stay the kernel's: a
// supervisor can only end a whole process, and a trap is the program's own to handle.
std::optional<SeccompPolicy> SupervisedPolicy(const SeccompPolicy& policy);

// What `policy` does with `call`: the first rule of its syscall whose conditions hold
// (conditional rules of one syscall are alternatives), else the default.
struct CallDecision {
  SeccompAction action;
  int rule = -1;  // index into policy.rules; -1: the default
};
CallDecision DecideCall(const SeccompPolicy& policy, const SeccompCall& call);

// Learning (ncp-launch --learn): a policy whose every call is a notification, so that the
// supervisor sees each one and answers it as the base policy would (DecideCall).
SeccompPolicy LearningPolicy();

// Where the kill-process rule that refuses `call` was written: the first matching rule of its
// syscall, or the default's line when no rule matches. nullopt when the policy would not kill
// the call (the filter and the policy disagree; not expected) or nobody wrote the line.
std::optional<SourceLoc> KillingRuleLocation(const SeccompPolicy& policy, const SeccompCall& call);

}  // namespace ncp::policy
