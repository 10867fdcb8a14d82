// The text forms of seccomp settings: actions ("errno:EPERM"), errno names and rule lists
// ("read, @memory, socket(arg0 == AF_UNIX), clone3:ENOSYS").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/seccomp_policy.h"

namespace ncp::policy {

// "allow", "errno", "errno:N", "errno:ENAME", "kill", "kill-process", "kill-thread", "trap",
// "log". Returns nullopt and sets `error` otherwise.
std::optional<SeccompAction> ParseAction(std::string_view text, std::string* error);

// "EPERM" or "1" (1..4095). Returns nullopt when neither.
std::optional<int> ParseErrno(std::string_view text);
// "EPERM" for 1; the number for values without a name.
std::string ErrnoName(int value);

// One item of a rule list, before group expansion and name resolution.
struct RuleItem {
  std::string target;  // a syscall name, or "@group"
  std::vector<ArgCondition> conditions;
  std::optional<int> errno_value;  // from a ":ERRNO" suffix
};

// Splits a comma list (commas inside parentheses do not split) and parses each item.
// On failure returns false and sets `error` to a message naming the bad item.
bool ParseRuleList(std::string_view text, std::vector<RuleItem>* items, std::string* error);

// Renders conditions back as "arg0 == 1 && arg1 & 0xffffffff == 0x5401".
std::string ConditionsToString(const std::vector<ArgCondition>& conditions);

}  // namespace ncp::policy
