// ncp-launch's command line: options (the vocabulary of policy/option_table.h), then the
// command to run: `lib.so:Entry [args...]`, or `-- /usr/bin/prog [args...]`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/option_table.h"
#include "policy/profile_loader.h"

namespace ncp::policy {

// What this run of ncp-launch is asked to do besides starting a child.
struct CliActions {
  bool help = false;
  bool version = false;
  bool check = false;
  bool explain_seccomp = false;
  bool verbose = false;
  bool isolation_uid = false;  // --isolation-uid: see option_table.cc
  bool host_root = false;      // --host-root: see option_table.cc
  bool idmap_binds = false;    // --idmap-binds: see option_table.cc
  std::optional<int> json_status_fd;  // --json-status-fd
  std::optional<int> info_fd;         // --info-fd
  std::optional<std::string> learn_file;  // --learn
  std::vector<std::string> learn_also;    // --learn-also, the names as given (groups too)
  bool learn_always = false;              // --learn-always
};

struct ParsedCli {
  // Every --profile (with its includes) in the order given, then the other options in the
  // order given: options typed on the command line override what the profiles say.
  std::vector<OptionEvent> events;
  std::vector<std::string> profiles;       // as given, for messages
  std::vector<ProfileFile> profile_files;  // every file read, includes too, in order
  CliActions actions;
  std::vector<std::string> command;  // the first non-option argument and everything after
  Diagnostics diagnostics;

  bool ok() const { return !diagnostics.HasErrors(); }
};

// Never throws; problems are in `diagnostics` (rendered "command line: error: ..." or, for
// profile contents, "file:line: error: ...").
ParsedCli ParseCommandLine(int argc, const char* const* argv, const ProfileSearchPath& search_path);

}  // namespace ncp::policy
