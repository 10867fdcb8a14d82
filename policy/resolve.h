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

struct RequiredSyscall {
  std::string name;
  std::string why;  // "the program form execs the program after installing it"
};

// What every process needs after the filter is in: exit_group to end (glibc's _exit spins
// into a crash without it) and exit for threads. rt_sigreturn is not in: a program without
// signal handlers never calls it, and one with them is the profile's business; nor is execve
// (a refused exec is reported as "cannot run", exit 126) or write (without it a failed exec
// loses its message, but its exit status still comes out).
std::vector<RequiredSyscall> EssentialSyscalls();

struct ResolveOptions {
  // Where compiled programs are looked up and stored; nullptr compiles every time.
  SeccompCache* cache = nullptr;
  // Architecture the filter is built for; 0 means the native one.
  uint32_t arch = 0;
  // Syscalls the filter must allow whatever their arguments, each with why. A filter that
  // refuses one is an error here, not a child that dies of SIGSEGV without a word later.
  // ncp-launch, which installs every filter, passes EssentialSyscalls(); empty checks nothing,
  // for tests of the rule semantics with toy filters.
  std::vector<RequiredSyscall> required_syscalls;
};

struct ResolveResult {
  std::optional<Plan> plan;            // set when there are no errors
  Diagnostics diagnostics;             // errors and warnings, in order
  FilterOrigin filter_origin;          // where plan->seccomp.program came from, when enabled
  std::vector<std::string> oci_files;  // OCI seccomp JSON files read, as opened

  bool ok() const { return plan.has_value(); }
};

// Later events override earlier ones: scalar settings are replaced; mounts, env operations and
// seccomp rules accumulate in order. See profiles/README.md for the exact rules.
ResolveResult Resolve(const std::vector<OptionEvent>& events, const ResolveOptions& options = {});
ResolveResult Resolve(const ParsedCli& cli, const ResolveOptions& options = {});

}  // namespace ncp::policy
