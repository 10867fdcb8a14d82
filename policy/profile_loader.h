// Reads profile files: `key = value` or `key` lines, `#` comments, `include = NAME|PATH`.
// The result is the flat, ordered list of option events, with includes expanded in place, so
// that later lines override earlier ones exactly as later command-line options would.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/option_table.h"

namespace ncp::policy {

// Directories searched, in order, for a profile given by bare NAME (no '/').
struct ProfileSearchPath {
  std::vector<std::string> dirs;
};

// $XDG_CONFIG_HOME/ncp/profiles (else ~/.config/ncp/profiles), then `system_dir` (where the
// shipped profiles are installed, e.g. <prefix>/share/ncp/profiles).
ProfileSearchPath DefaultProfileSearchPath(std::string_view system_dir);

// NAME|PATH → a readable file path. A value containing '/' is a path, relative to `base_dir`
// (empty: the current directory). A bare NAME is tried as NAME.profile then NAME, first in
// `base_dir` (when not empty), then in each search directory. Returns "" when not found.
std::string FindProfile(std::string_view name_or_path, std::string_view base_dir,
                        const ProfileSearchPath& search_path);

struct LoadedProfile {
  std::vector<OptionEvent> events;
  Diagnostics diagnostics;
};

// Loads NAME|PATH and everything it includes.
LoadedProfile LoadProfile(std::string_view name_or_path, const ProfileSearchPath& search_path);

// Parses profile text as if it were the file `file_name` (used for includes relative to it).
LoadedProfile ParseProfileText(std::string_view text, std::string_view file_name,
                               const ProfileSearchPath& search_path);

}  // namespace ncp::policy
