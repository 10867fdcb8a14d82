// Request mode's hidden flags, taken off argv before the option table sees it (so no profile
// can give them and --help does not list them):
//   ncp-launch --request-fd=N [--control-fd=M] [--warm [--builder]] [--report-entry] [OPTIONS]
// --request-fd (or `--request-fd N`) only as the first argument: anywhere else it could be a
// value meant for the child (`--params --request-fd=3`); the others only right after it.
#pragma once

#include <optional>
#include <vector>

namespace ncp::launcher {

struct RequestFlags {
  std::vector<const char*> argv;  // argv[0] and everything after the hidden flags
  std::optional<int> request_fd;
  bool bad_request_fd = false;
  std::optional<int> control_fd;
  bool bad_control_fd = false;
  bool warm = false;
  bool builder = false;  // --builder (with --warm): builds a shape's sandboxes on request
  bool report_entry = false;
};

RequestFlags TakeRequestFlags(int argc, char** argv);

}  // namespace ncp::launcher
