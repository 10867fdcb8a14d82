// The profile `ncp-launch --learn FILE` writes (docs/writing-profiles.md): the sandbox of the
// profiles the run was given, and a seccomp filter that allows exactly the calls the run made
// that those profiles allowed, each line with a comment saying why. A call the base refused is
// reported (a comment, or the base's own rule kept), never allowed, unless the caller named it
// (--learn-also): a program cannot write ptrace into its own profile. Pure; one owner for the
// format of learned profiles.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "policy/seccomp_policy.h"
#include "policy/seccomp_supervision.h"

namespace ncp::policy {

// What one run did, by syscall number, as the supervisor answered it.
struct LearnedCalls {
  struct Allowed {
    uint64_t count = 0;
    std::set<int> rules;  // the base's rules (indexes) that allowed it; -1: its default
    bool asked = false;   // the base refused it; allowed because the caller named it
  };
  struct Refused {
    uint64_t count = 0;
    CallDecision decision;  // what the base answered (its first refusing decision)
  };
  std::map<int, Allowed> allowed;
  std::map<int, Refused> refused;
};

struct LearnedProfileInput {
  std::vector<std::string> command;       // the run's command line, for the header
  std::vector<std::string> includes;      // the profiles the run was given (names or paths)
  std::vector<std::string> option_lines;  // its other options as profile lines ("key = value")
  const SeccompPolicy* base = nullptr;    // the filter the run was answered by
  uint32_t arch = 0;
  const LearnedCalls* calls = nullptr;
  std::vector<std::string> required;  // syscalls every filter must allow (EssentialSyscalls)
};

std::string LearnedProfileText(const LearnedProfileInput& input);

}  // namespace ncp::policy
