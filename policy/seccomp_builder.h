// Internal: collects seccomp options in order into a SeccompPolicy. Per syscall, a rule without
// conditions replaces every earlier rule; a rule with conditions replaces earlier unconditional
// ones and is added to earlier conditional ones (they are alternatives).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/option_table.h"
#include "policy/seccomp_policy.h"

namespace ncp::policy::internal {

// Conditional rules a filter may hold. Each costs BPF instructions, and a program holds at most
// 4096 (BPF_MAXINSNS), so many more can never compile; counting them as they are added lets a
// huge profile be refused at its first rule over the limit instead of after a long compile.
inline constexpr size_t kMaxConditionalRules = 1000;

class SeccompBuilder {
 public:
  SeccompBuilder(uint32_t arch, bool strict) : arch_(arch), strict_(strict) {}

  // Handles one seccomp-* event; returns false for events that are not seccomp options.
  bool Apply(const OptionEvent& event, Diagnostics* diags);

  // Whether any option asked for a filter, and where the last one was.
  bool configured() const { return configured_; }
  const SourceLoc& last_loc() const { return last_loc_; }
  bool disabled() const { return disabled_; }
  // Where no-seccomp was given (the last time); meaningful only when disabled().
  const SourceLoc& disabled_loc() const { return disabled_loc_; }
  bool before_load() const { return before_load_; }
  // Every seccomp-oci file read, as opened (relative to the profile's folder or the cwd).
  const std::vector<std::string>& oci_files() const { return oci_files_; }

  SeccompPolicy Build() const;

 private:
  void AddRules(const OptionEvent& event, SeccompAction action, bool errno_allowed,
                Diagnostics* diags);
  void LoadOci(const OptionEvent& event, Diagnostics* diags);
  // Adds `rule` for `name`; records unknown names in `unknown`. False (and one error at
  // `rule.loc`) when the rule is one conditional rule too many.
  bool AddRule(const std::string& name, SeccompRule rule, std::vector<std::string>* unknown,
               Diagnostics* diags);

  const uint32_t arch_;
  const bool strict_;
  bool configured_ = false;
  bool disabled_ = false;
  SourceLoc disabled_loc_;
  bool before_load_ = false;
  std::vector<std::string> oci_files_;
  SourceLoc last_loc_;
  SeccompAction default_action_{SeccompActionKind::kErrno, 1};
  SourceLoc default_loc_;
  std::map<std::string, std::vector<SeccompRule>> rules_;  // by syscall name
  size_t conditional_rules_ = 0;                           // live ones in rules_
  bool too_many_rules_ = false;                            // reported once; later rules are dropped
};

}  // namespace ncp::policy::internal
