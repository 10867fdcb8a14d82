#include "policy/seccomp_builder.h"

#include <algorithm>

#include "policy/oci_seccomp.h"
#include "policy/seccomp_syntax.h"
#include "policy/syscall_groups.h"
#include "policy/syscall_names.h"

namespace ncp::policy::internal {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

}  // namespace

bool SeccompBuilder::Apply(const OptionEvent& event, Diagnostics* diags) {
  const SeccompAction kEperm{SeccompActionKind::kErrno, EPERM};
  switch (event.id) {
    case OptionId::kSeccompDefault: {
      std::string error;
      if (auto action = ParseAction(event.value, &error)) {
        default_action_ = *action;
        default_loc_ = event.loc;
      } else {
        diags->Error(event.loc, "seccomp-default: " + error);
      }
      break;
    }
    case OptionId::kSeccompAllow:
      AddRules(event, {SeccompActionKind::kAllow, 0}, false, diags);
      break;
    case OptionId::kSeccompErrno:
      AddRules(event, kEperm, true, diags);
      break;
    case OptionId::kSeccompKill:
      AddRules(event, {SeccompActionKind::kKillProcess, 0}, false, diags);
      break;
    case OptionId::kSeccompTrap:
      AddRules(event, {SeccompActionKind::kTrap, 0}, false, diags);
      break;
    case OptionId::kSeccompLog:
      AddRules(event, {SeccompActionKind::kLog, 0}, false, diags);
      break;
    case OptionId::kSeccompReset:
      rules_.clear();
      conditional_rules_ = 0;
      break;
    case OptionId::kSeccompOci:
      LoadOci(event, diags);
      break;
    case OptionId::kSeccompBeforeLoad:
      before_load_ = true;
      return true;
    case OptionId::kNoSeccomp:
      disabled_ = true;
      disabled_loc_ = event.loc;
      return true;
    default:
      return false;
  }
  configured_ = true;
  last_loc_ = event.loc;
  return true;
}

void SeccompBuilder::AddRules(const OptionEvent& event, SeccompAction action, bool errno_allowed,
                              Diagnostics* diags) {
  const std::string option = GetOption(event.id).name;
  std::vector<RuleItem> items;
  std::string error;
  if (!ParseRuleList(event.value, &items, &error)) {
    diags->Error(event.loc, option + ": " + error);
    return;
  }
  std::vector<std::string> unknown;
  for (const RuleItem& item : items) {
    SeccompAction item_action = action;
    if (item.errno_value) {
      if (!errno_allowed) {
        diags->Error(event.loc,
                     option + ": ':ERRNO' only goes with seccomp-errno ('" + item.target + "')");
        continue;
      }
      item_action.errno_value = *item.errno_value;
    }
    SeccompRule rule{item.target, -1, item_action, item.conditions, event.loc};
    if (item.target.front() != '@') {
      if (!AddRule(item.target, std::move(rule), &unknown, diags)) return;
      continue;
    }
    std::optional<std::vector<std::string>> members = ExpandSyscallGroup(item.target);
    if (!members) {
      diags->Error(event.loc, option + ": unknown syscall group '" + item.target + "'");
      continue;
    }
    for (const std::string& name : *members) {
      rule.syscall = name;
      if (!AddRule(name, rule, &unknown, diags)) return;
    }
  }
  if (!unknown.empty()) {
    diags->ErrorIf(strict_, event.loc, option + ": unknown syscall name(s): " + JoinNames(unknown));
  }
}

void SeccompBuilder::LoadOci(const OptionEvent& event, Diagnostics* diags) {
  std::string path = ResolvePath(event.value, event.base_dir);
  oci_files_.push_back(path);
  OciContext context = HostOciContext();
  context.arch = arch_;
  base::StatusOr<OciSeccomp> oci = LoadOciSeccomp(path, context);
  if (!oci.ok()) {
    diags->Error(event.loc, "seccomp-oci: " + path + ": " + oci.status().message());
    return;
  }
  // The file replaces everything said about seccomp so far; later options refine it.
  default_action_ = oci->default_action;
  default_loc_ = event.loc;
  rules_.clear();
  conditional_rules_ = 0;
  std::vector<std::string> unknown;
  for (SeccompRule& rule : oci->rules) {
    rule.loc = event.loc;
    std::string name = rule.syscall;
    if (!AddRule(name, std::move(rule), &unknown, diags)) return;
  }
  if (!unknown.empty()) {
    diags->ErrorIf(strict_, event.loc,
                   "seccomp-oci: " + path + ": unknown syscall name(s): " + JoinNames(unknown));
  }
}

bool SeccompBuilder::AddRule(const std::string& name, SeccompRule rule,
                             std::vector<std::string>* unknown, Diagnostics* diags) {
  if (too_many_rules_) return false;
  SyscallLookup lookup = LookUpSyscall(name, arch_);
  if (lookup.kind == SyscallKind::kUnknown) {
    if (std::find(unknown->begin(), unknown->end(), name) == unknown->end()) {
      unknown->push_back(name);
    }
    return true;
  }
  if (lookup.kind == SyscallKind::kNotOnArch) return true;  // e.g. chown32 on x86_64
  rule.nr = lookup.nr;
  std::vector<SeccompRule>& list = rules_[name];
  const auto conditional = [](const SeccompRule& r) { return !r.conditions.empty(); };
  const size_t before = static_cast<size_t>(std::count_if(list.begin(), list.end(), conditional));
  if (rule.conditions.empty()) {
    list.clear();
  } else {
    std::erase_if(list, [&](const SeccompRule& r) {
      return r.conditions.empty() || r.conditions == rule.conditions;
    });
  }
  const bool adds_conditional = conditional(rule);
  list.push_back(std::move(rule));
  conditional_rules_ -= before;
  conditional_rules_ += static_cast<size_t>(std::count_if(list.begin(), list.end(), conditional));
  if (adds_conditional && conditional_rules_ > kMaxConditionalRules) {
    too_many_rules_ = true;
    diags->Error(list.back().loc, "more than " + std::to_string(kMaxConditionalRules) +
                                      " conditional seccomp rules (at '" + name +
                                      "'): no filter that large fits in a BPF program");
    return false;
  }
  return true;
}

SeccompPolicy SeccompBuilder::Build() const {
  SeccompPolicy policy;
  policy.default_action = default_action_;
  policy.default_loc = default_loc_;
  for (const auto& [name, list] : rules_) {
    policy.rules.insert(policy.rules.end(), list.begin(), list.end());
  }
  std::stable_sort(policy.rules.begin(), policy.rules.end(),
                   [](const SeccompRule& a, const SeccompRule& b) { return a.nr < b.nr; });
  return policy;
}

}  // namespace ncp::policy::internal
