// The profile parser (policy/profile_loader.cc, the option table and option tokens) on profile
// text held in memory, the same code LoadProfile runs on a file's contents; then, for a profile
// that parses, the resolver (policy/resolve.cc, the seccomp builder and compiler) and the views
// `ncp-launch --check` and `--explain-seccomp` print.
//
// `include = NAME` finds the shipped profiles (NCP_FUZZ_PROFILES_DIR), so layering is reached.
// An input starting with "--" is an ncp-launch command line instead (see ParseAsCommandLine).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/command_line.h"
#include "policy/describe.h"
#include "policy/profile_loader.h"
#include "policy/resolve.h"

namespace {

const ncp::policy::ProfileSearchPath kSearchPath{{NCP_FUZZ_PROFILES_DIR}};

// Input that starts with "--" is a command line instead, one argument per line: the same
// option vocabulary through ParseCommandLine, with `--profile NAME` loading shipped profiles.
std::vector<ncp::policy::OptionEvent> ParseAsCommandLine(std::string_view text, bool* ok) {
  std::vector<std::string> args = {"ncp-launch"};
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find('\n', start), text.size());
    args.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  ncp::policy::ParsedCli cli =
      ncp::policy::ParseCommandLine(static_cast<int>(argv.size()), argv.data(), kSearchPath);
  for (const ncp::policy::Diagnostic& d : cli.diagnostics.items()) (void)d.Render();
  *ok = cli.ok();
  return std::move(cli.events);
}

std::vector<ncp::policy::OptionEvent> ParseAsProfile(std::string_view text, bool* ok) {
  // A directory that does not exist: relative includes find nothing beside the profile.
  ncp::policy::LoadedProfile loaded =
      ncp::policy::ParseProfileText(text, "/nonexistent-ncp-fuzz/fuzz.profile", kSearchPath);
  for (const ncp::policy::Diagnostic& d : loaded.diagnostics.items()) (void)d.Render();
  *ok = !loaded.diagnostics.HasErrors();
  return std::move(loaded.events);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bool ok = false;
  std::vector<ncp::policy::OptionEvent> events =
      text.starts_with("--") ? ParseAsCommandLine(text, &ok) : ParseAsProfile(text, &ok);
  if (!ok) return 0;

  ncp::policy::ResolveResult resolved = ncp::policy::Resolve(events);
  for (const ncp::policy::Diagnostic& d : resolved.diagnostics.items()) (void)d.Render();
  if (!resolved.ok()) return 0;
  (void)ncp::policy::DescribePlan(*resolved.plan);
  (void)ncp::policy::ExplainSeccomp(*resolved.plan);
  return 0;
}
