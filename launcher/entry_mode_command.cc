#include <string>
#include <vector>

#include "launcher/entry_mode.h"

namespace ncp::launcher {
namespace {

// "-", or RESOURCE=SOFT:HARD,... (entry_mode.h).
std::string EncodeMemoryLimits(const std::vector<policy::Rlimit>& limits) {
  std::string out;
  for (const policy::Rlimit& l : limits) {
    if (!out.empty()) out += ',';
    out += std::to_string(l.resource) + '=' + std::to_string(l.soft) + ':' + std::to_string(l.hard);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

std::vector<std::string> EntryModeCommand(const std::string& self, const EntryModeArgs& args) {
  return {self,
          kEntryModeFlag,
          std::to_string(args.filter_fd),
          args.seccomp_before_load ? "1" : "0",
          args.verbose ? "1" : "0",
          args.library_path,
          std::to_string(args.report_fd),
          std::to_string(args.warm_fd),
          EncodeMemoryLimits(args.memory_limits),
          std::to_string(args.supervisor_fd)};
}

}  // namespace ncp::launcher
