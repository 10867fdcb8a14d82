// Option events (from the command line and profiles) → a validated Plan with its compiled
// seccomp program, or diagnostics that say which file:line is wrong.
#pragma once

#include <optional>
#include <vector>

#include "policy/command_line.h"
#include "policy/diagnostic.h"
#include "policy/option_table.h"
#include "policy/plan.h"
#include "policy/seccomp_cache.h"

namespace ncp::policy {

struct ResolveOptions {
  // Where compiled programs are looked up and stored; nullptr compiles every time.
  SeccompCache* cache = nullptr;
  // Architecture the filter is built for; 0 means the native one.
  uint32_t arch = 0;
};

struct ResolveResult {
  std::optional<Plan> plan;  // set when there are no errors
  Diagnostics diagnostics;   // errors and warnings, in order

  bool ok() const { return plan.has_value(); }
};

// Later events override earlier ones: scalar settings are replaced; mounts, env operations and
// seccomp rules accumulate in order. See profiles/README.md for the exact rules.
ResolveResult Resolve(const std::vector<OptionEvent>& events, const ResolveOptions& options = {});
ResolveResult Resolve(const ParsedCli& cli, const ResolveOptions& options = {});

}  // namespace ncp::policy
