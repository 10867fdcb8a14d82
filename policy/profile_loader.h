// Reads profile files: `key = value` or `key` lines, `#` comments, `include = NAME|PATH`.
// The result is the flat, ordered list of option events, with includes expanded in place, so
// that later lines override earlier ones exactly as later command-line options would.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/option_table.h"
#include "policy/policy_state.h"

namespace ncp::policy {

// Where a profile given by bare NAME (no '/') is looked up.
struct ProfileSearchPath {
  // Searched in order for names that are not shipped (the user's folder).
  std::vector<std::string> dirs;
  // The shipped profiles. A name found here always means the shipped file: a sandbox that can
  // write the user's folder must not be able to replace `default` for every later start.
  // Same-named files elsewhere are ignored with a warning; a PATH still reads any file.
  std::vector<std::string> shipped_dirs;
  // The user's folder when it exists but someone other than its owner (or root) could write
  // it or a folder above it up to $XDG_CONFIG_HOME or $HOME: not searched, named when a profile
  // is not found.
  std::vector<std::string> refused_dirs;
};

// dirs: $XDG_CONFIG_HOME/ncp/profiles (else ~/.config/ncp/profiles), unless refused (see
// refused_dirs); shipped_dirs:
// `system_dir` (where the shipped profiles are installed, e.g. <prefix>/share/ncp/profiles).
ProfileSearchPath DefaultProfileSearchPath(std::string_view system_dir);
// The user's profile folder for the given values (either may be null): 2 components below
// $XDG_CONFIG_HOME (ncp/profiles), else 3 below $HOME (.config/ncp/profiles); {} for neither.
PolicyFolder UserProfileDirFor(const char* xdg_config_home, const char* home);

struct ProfileLocation {
  std::string path;  // "" when not found
  bool shipped = false;
  std::vector<std::string> ignored;  // same-named files in other folders that a shipped one beats
  std::string refused;  // why a file found is not used (path is then ""), e.g. a symlink
};

// NAME|PATH → a readable file. A value containing '/' is a path, relative to `base_dir`
// (empty: the current directory). A bare NAME is tried as NAME.profile then NAME: first in the
// shipped dirs; then, unless `base_dir` is a shipped dir (includes of shipped profiles stay
// shipped), in each of `dirs` (a symlink there is refused), then in `base_dir` (when not
// empty).
ProfileLocation LocateProfile(std::string_view name_or_path, std::string_view base_dir,
                              const ProfileSearchPath& search_path);
// LocateProfile(...).path.
std::string FindProfile(std::string_view name_or_path, std::string_view base_dir,
                        const ProfileSearchPath& search_path);

// The bare names --profile NAME would find (for `ncp-launch --list-profiles`, the shell
// completions): each NAME.profile of the shipped dirs, then of `dirs`, that LocateProfile takes
// (not one it refuses); each dir's names sorted, a name only once.
std::vector<std::string> ProfileNames(const ProfileSearchPath& search_path);

// A file that was read, for --check and --verbose.
struct ProfileFile {
  std::string path;
  bool shipped = false;
  int depth = 0;  // 0 for a profile named on the command line, 1 for its includes, ...
};

struct LoadedProfile {
  std::vector<OptionEvent> events;
  Diagnostics diagnostics;
  std::vector<ProfileFile> files;  // in the order they were read
};

// Loads NAME|PATH and everything it includes.
LoadedProfile LoadProfile(std::string_view name_or_path, const ProfileSearchPath& search_path);

// Parses profile text as if it were the file `file_name` (used for includes relative to it).
LoadedProfile ParseProfileText(std::string_view text, std::string_view file_name,
                               const ProfileSearchPath& search_path);

}  // namespace ncp::policy
