// ncp-entry: the program every LIB.so:ENTRY sandbox runs (the entry form and request mode).
// The sandbox is already built (namespaces, mounts, fds, limits, no caps, no new privileges,
// parent-death signal); this image reads the seccomp filter, then hands over to the child
// runtime, which loads the library; the filter goes on right before the entry (or before the
// load with seccomp-before-load). A program of its own, small, not ncp-launch: every sandbox
// pays for the dynamic loading of what runs in it, and this links none of the launcher's
// policy, option or JSON code (issue 11's burst).
//   ncp-entry --internal-entry FILTER_FD BEFORE_LOAD(0|1) VERBOSE(0|1) LIBRARY_PATH REPORT_FD
//             WARM_FD MEMORY_LIMITS SUPERVISOR_FD
// MEMORY_LIMITS: "-", or RESOURCE=SOFT:HARD,... in numbers (RLIMIT_AS, RLIMIT_DATA; bytes).
// REPORT_FD (--report-entry): the runtime's entry report goes there. WARM_FD (--warm): the
// real request arrives there first (warm_forward.h). SUPERVISOR_FD: the filter is supervised,
// its listener goes to ncp-launch there (seccomp_install.cc). -1: none.
// EntryModeCommand (entry_mode_command.cc) is ncp-launch's side; RunEntryMode is ncp-entry's.
#pragma once

#include <string>
#include <vector>

#include "policy/plan.h"

namespace ncp::launcher {

inline constexpr char kEntryModeFlag[] = "--internal-entry";

struct EntryModeArgs {
  int filter_fd = -1;  // -1: no filter
  bool seccomp_before_load = false;
  bool verbose = false;
  std::string library_path;
  int report_fd = -1;
  int warm_fd = -1;
  // The plan's memory limits (steps.h RlimitSet::kMemory), applied before the library loads.
  std::vector<policy::Rlimit> memory_limits;
  int supervisor_fd = -1;
};

std::vector<std::string> EntryModeCommand(const std::string& self, const EntryModeArgs& args);

// argv[1] == kEntryModeFlag. Never returns: the runtime exits with the entry's outcome
// (0, or 120/121/122 when the library, the symbol or the request is bad); 125 on setup errors.
[[noreturn]] void RunEntryMode(int argc, char** argv);

}  // namespace ncp::launcher
