// The one option vocabulary shared by ncp-launch's command line and profile files. A profile is
// a saved command line: each `key = value` line is the long option `--key=value`.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <span>
#include <string>
#include <string_view>

#include "policy/diagnostic.h"

namespace ncp::policy {

enum class OptionId {
  // Actions of one ncp-launch run; command line only.
  kHelp,
  kVersion,
  kCheck,
  kExplainSeccomp,
  kVerbose,
  kJsonStatusFd,
  kInfoFd,
  kLearn,
  kLearnAlso,
  kLearnAlways,
  // Profiles.
  kProfile,
  kInclude,
  kStrict,
  // Namespaces.
  kUnshareUser,
  kUnsharePid,
  kUnshareNet,
  kUnshareIpc,
  kUnshareUts,
  kUnshareCgroup,
  kUnshareMount,
  kUnshareAll,
  kShareNet,
  // File system.
  kRoBind,
  kRoBindTry,
  kBind,
  kBindTry,
  kTmpfs,
  kTmpfsSize,
  kLandlock,
  // Identity and limits.
  kHostname,
  kChdir,
  kUid,
  kGid,
  kIsolationUid,
  kHostRoot,
  kIdmapBinds,
  kRlimit,
  kTimeLimit,
  kCgroup,
  kCgroupMemory,
  kCgroupPids,
  kCgroupCpu,
  // Environment and fds.
  kEnv,
  kUnsetEnv,
  kClearEnv,
  kFd,
  // Seccomp.
  kSeccompDefault,
  kSeccompAllow,
  kSeccompErrno,
  kSeccompKill,
  kSeccompTrap,
  kSeccompLog,
  kSeccompReset,
  kSeccompOci,
  kSeccompBeforeLoad,
  kNoSeccomp,
};

enum class OptionPlace { kAnywhere, kCommandLineOnly, kProfileOnly };

struct OptionSpec {
  OptionId id;
  const char* name;        // long option name, also the profile key
  const char* value_name;  // nullptr for a flag
  OptionPlace place;
  const char* help;

  bool takes_value() const { return value_name != nullptr; }
};

// seccomp-default, -allow, -errno, -kill, -trap, -log, -oci: the options that write the filter's
// rules (not seccomp-reset, seccomp-before-load or no-seccomp).
bool WritesSeccompRules(OptionId id);

// Every option, in the order `--help` shows them.
std::span<const OptionSpec> AllOptions();
const OptionSpec* FindOption(std::string_view name);
const OptionSpec& GetOption(OptionId id);

// The same table as a Boost.Program_options description (built once).
const boost::program_options::options_description& BoostOptions();

// Usage text for `ncp-launch --help`: the options in titled groups (see kGroups in the .cc).
std::string OptionsHelp();

// For the shell completions (`ncp-launch --list-options`, scripts/completion/): one line per
// option the command line takes (not the profile-only ones), in --help's order: "--NAME" for a
// flag, "--NAME=KIND" for an option with a value. KIND is profile (a NAME|PATH), file (a host
// path), dir (a directory), fd (a descriptor number), value (anything else), or the value's
// choices separated by '|', e.g. "--landlock=off|best-effort|required".
std::string OptionsForCompletion();

// One option occurrence, from the command line or a profile line, in the order it takes effect.
struct OptionEvent {
  OptionId id;
  std::string value;  // empty for flags
  SourceLoc loc;
  // Directory that relative paths in `value` are resolved against (the profile's directory, or
  // empty for the current directory).
  std::string base_dir;
};

}  // namespace ncp::policy
