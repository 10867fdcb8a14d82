#include "policy/learned_profile.h"

#include <algorithm>
#include <sstream>

#include "policy/diagnostic.h"
#include "policy/seccomp_syntax.h"
#include "policy/syscall_groups.h"
#include "policy/syscall_names.h"

namespace ncp::policy {
namespace {

std::string Calls(uint64_t count) {
  return std::to_string(count) + (count == 1 ? " call" : " calls");
}

// "FILE:LINE", or what decided when no line did.
std::string WhereDecided(const SeccompPolicy& base, int rule) {
  const SourceLoc& loc = rule >= 0 ? base.rules[static_cast<size_t>(rule)].loc : base.default_loc;
  if (loc.file.empty()) return rule >= 0 ? "a rule" : "the built-in default";
  return LocText(loc);
}

// The rule as a profile writes it: "name" or "name(arg0 == 1 && ...)".
std::string RuleTarget(const SeccompRule& rule) {
  if (rule.conditions.empty()) return rule.syscall;
  return rule.syscall + "(" + ConditionsToString(rule.conditions) + ")";
}

// The option that gives a refusing rule its action again; empty when none can (log allows).
std::string RefusingLine(const SeccompRule& rule) {
  switch (rule.action.kind) {
    case SeccompActionKind::kErrno:
      return "seccomp-errno = " + RuleTarget(rule) + ":" + ErrnoName(rule.action.errno_value);
    case SeccompActionKind::kKillProcess:
    case SeccompActionKind::kKillThread:  // no option kills a thread alone: the process, then
      return "seccomp-kill = " + RuleTarget(rule);
    case SeccompActionKind::kTrap:
      return "seccomp-trap = " + RuleTarget(rule);
    default:
      return "";
  }
}

// Whether every call of `nr` the run made was allowed whatever its arguments.
bool AllowedWhole(const SeccompPolicy& base, const LearnedCalls::Allowed& use) {
  if (use.asked) return true;
  return std::all_of(use.rules.begin(), use.rules.end(), [&](int rule) {
    return rule < 0 || base.rules[static_cast<size_t>(rule)].conditions.empty();
  });
}

}  // namespace

std::string LearnedProfileText(const LearnedProfileInput& in) {
  const SeccompPolicy& base = *in.base;
  const LearnedCalls& calls = *in.calls;
  std::ostringstream out;
  // Profiles have whole-line comments only: each rule comes after the line that says why.
  const auto rule = [&out](const std::string& why, const std::string& line) {
    out << "# " << why << "\n" << line << "\n";
  };
  out << "# Learned by ncp-launch --learn from one run of:";
  for (const std::string& arg : in.command) out << " " << arg;
  out << "\n# The sandbox of the profiles below; a filter that allows only the system calls that\n"
         "# run made and they allowed. Check it with --check, then run the program under it.\n";
  for (const std::string& include : in.includes) out << "include = " << include << "\n";
  for (const std::string& line : in.option_lines) out << line << "\n";
  out << "seccomp-reset\n";
  const SeccompActionKind base_default = base.default_action.kind;
  if (base_default == SeccompActionKind::kAllow || base_default == SeccompActionKind::kLog) {
    // A base that allows by default (audit, no filter) has no refusal to keep: what the run did
    // not make is refused with EPERM.
    rule("the base's default (" + WhereDecided(base, -1) + ") is " +
             ActionToString(base.default_action) + "; here every call not allowed below is refused",
         "seccomp-default = errno:EPERM");
  } else {
    rule("the base's default (" + WhereDecided(base, -1) + "): every call not allowed below",
         "seccomp-default = " + ActionToString(base.default_action));
  }

  std::set<int> written;
  // A whole group, when the run used every call of it and the base allowed them all outright.
  for (const SyscallGroup& group : AllSyscallGroups()) {
    std::optional<std::vector<std::string>> members = ExpandSyscallGroup(group.name);
    if (!members) continue;
    std::vector<int> numbers;
    bool whole = true;
    for (const std::string& name : *members) {
      const SyscallLookup lookup = LookUpSyscall(name, in.arch);
      if (lookup.kind != SyscallKind::kPresent) continue;
      auto use = calls.allowed.find(lookup.nr);
      if (use == calls.allowed.end() || use->second.asked || !AllowedWhole(base, use->second)) {
        whole = false;
        break;
      }
      numbers.push_back(lookup.nr);
    }
    if (!whole || numbers.size() < 2 ||
        std::all_of(numbers.begin(), numbers.end(), [&](int nr) { return written.count(nr); })) {
      continue;
    }
    rule(std::string("every call of ") + group.name + " was used (" + group.purpose + ")",
         std::string("seccomp-allow = ") + group.name);
    written.insert(numbers.begin(), numbers.end());
  }
  for (const auto& [nr, use] : calls.allowed) {
    if (written.count(nr)) continue;
    const std::string name = SyscallName(nr, in.arch);
    if (use.asked) {
      rule(name + ": " + Calls(use.count) +
               "; the base refuses it, allowed because --learn-also named it",
           "seccomp-allow = " + name);
      continue;
    }
    if (AllowedWhole(base, use)) {
      std::string why;
      for (int r : use.rules) why += (why.empty() ? "" : ", ") + WhereDecided(base, r);
      rule(name + ": " + Calls(use.count) + "; allowed by " + why, "seccomp-allow = " + name);
      continue;
    }
    // Allowed only with some arguments: the base's rules that allowed these calls, as written.
    bool first = true;
    for (int r : use.rules) {
      if (r < 0) continue;  // (a conditional rule exists, so the default did not allow)
      rule(name + ": " + (first ? Calls(use.count) + "; " : std::string()) +
               "allowed with these arguments by " + WhereDecided(base, r),
           "seccomp-allow = " + RuleTarget(base.rules[static_cast<size_t>(r)]));
      first = false;
    }
  }
  for (const std::string& name : in.required) {
    const SyscallLookup lookup = LookUpSyscall(name, in.arch);
    if (lookup.kind == SyscallKind::kPresent && !calls.allowed.count(lookup.nr)) {
      rule(name + ": not used by the run; ncp-launch requires every filter to allow it",
           "seccomp-allow = " + name);
    }
  }
  // Every refusing rule of the base is kept, made by the run or not: a call the run made may
  // have been refused before ncp-launch saw it (a container's own filter answers clone3 with
  // ENOSYS first), and without the rule the learned default would answer it differently.
  out << "# Refused by the base, and so by this profile too (reported, not learned):\n";
  for (size_t i = 0; i < base.rules.size(); ++i) {
    const SeccompRule& refusing = base.rules[i];
    const std::string line = RefusingLine(refusing);
    if (line.empty()) continue;
    auto allowed = calls.allowed.find(refusing.nr);
    if (allowed != calls.allowed.end() && allowed->second.asked) continue;  // --learn-also
    auto made = calls.refused.find(refusing.nr);
    const bool by_this_rule =
        made != calls.refused.end() && made->second.decision.rule == static_cast<int>(i);
    rule(by_this_rule ? refusing.syscall + ": " + Calls(made->second.count) + " answered " +
                            ActionToString(refusing.action) + " by " +
                            WhereDecided(base, static_cast<int>(i))
                      : refusing.syscall + ": not seen in the run; the base's rule (" +
                            WhereDecided(base, static_cast<int>(i)) + "), kept",
         line);
  }
  for (const auto& [nr, refused] : calls.refused) {
    if (refused.decision.rule >= 0) continue;  // its rule is above
    out << "# " << SyscallName(nr, in.arch) << ": " << Calls(refused.count) << " answered "
        << ActionToString(refused.decision.action) << " by " << WhereDecided(base, -1) << "\n";
  }
  return out.str();
}

}  // namespace ncp::policy
