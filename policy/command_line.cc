#include "policy/command_line.h"

#include <charconv>

#include "policy/option_tokens.h"
#include "policy/plan.h"
#include "policy/seccomp_syntax.h"

namespace ncp::policy {
namespace {

// Index of the first argument that belongs to the command: the first token that is not an
// option or an option's separate value, or the token after "--". Options after the command
// belong to the command, so they must not reach Boost.
int FindCommandStart(int argc, const char* const* argv, bool* saw_terminator) {
  *saw_terminator = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      *saw_terminator = true;
      return i;
    }
    if (arg.size() < 2 || arg.front() != '-') return i;
    if (arg.starts_with("--") && arg.find('=') == std::string_view::npos) {
      const OptionSpec* spec = FindOption(arg.substr(2));
      if (spec != nullptr && spec->takes_value()) ++i;  // "--key value"
    }
  }
  return argc;
}

// --json-status-fd=FD, --info-fd=FD: a descriptor number.
void SetFd(const std::string& value, const char* option, std::optional<int>* fd,
           Diagnostics* diagnostics) {
  int number = -1;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || number < 0 ||
      number > kMaxFdNumber) {
    diagnostics->Error({std::string(kCommandLine), 0},
                       std::string(option) + ": '" + value + "' is not a descriptor number");
    return;
  }
  *fd = number;
}

void ApplyAction(OptionId id, const std::string& value, CliActions* actions,
                 Diagnostics* diagnostics) {
  switch (id) {
    case OptionId::kJsonStatusFd:
      SetFd(value, "json-status-fd", &actions->json_status_fd, diagnostics);
      break;
    case OptionId::kInfoFd:
      SetFd(value, "info-fd", &actions->info_fd, diagnostics);
      break;
    case OptionId::kLearn:
      if (value.empty()) {
        diagnostics->Error({std::string(kCommandLine), 0}, "learn: a file name is needed");
      }
      actions->learn_file = value;
      break;
    case OptionId::kLearnAlso: {
      std::vector<RuleItem> items;
      std::string error;
      if (!ParseRuleList(value, &items, &error)) {
        diagnostics->Error({std::string(kCommandLine), 0}, "learn-also: " + error);
        break;
      }
      for (const RuleItem& item : items) {
        if (!item.conditions.empty() || item.errno_value) {
          diagnostics->Error({std::string(kCommandLine), 0},
                             "learn-also: '" + item.target + "' takes no conditions or errno");
        }
        actions->learn_also.push_back(item.target);
      }
      break;
    }
    case OptionId::kLearnAlways:
      actions->learn_always = true;
      break;
    case OptionId::kHelp:
      actions->help = true;
      break;
    case OptionId::kVersion:
      actions->version = true;
      break;
    case OptionId::kCheck:
      actions->check = true;
      break;
    case OptionId::kExplainSeccomp:
      actions->explain_seccomp = true;
      break;
    case OptionId::kVerbose:
      actions->verbose = true;
      break;
    case OptionId::kIsolationUid:
      actions->isolation_uid = true;
      break;
    case OptionId::kHostRoot:
      actions->host_root = true;
      break;
    case OptionId::kIdmapBinds:
      actions->idmap_binds = true;
      break;
    default:
      break;
  }
}

}  // namespace

ParsedCli ParseCommandLine(int argc, const char* const* argv,
                           const ProfileSearchPath& search_path) {
  ParsedCli cli;
  bool saw_terminator = false;
  int command_start = FindCommandStart(argc, argv, &saw_terminator);
  std::vector<std::string> tokens(argv + (argc > 0 ? 1 : 0), argv + command_start);
  for (int i = command_start + (saw_terminator ? 1 : 0); i < argc; ++i) {
    cli.command.emplace_back(argv[i]);
  }

  const SourceLoc loc{std::string(kCommandLine), 0};
  std::vector<internal::ParsedToken> parsed;
  if (!internal::ParseOptionTokens(tokens, /*in_profile=*/false, loc, &parsed, &cli.diagnostics)) {
    return cli;
  }
  std::vector<OptionEvent> typed;
  for (internal::ParsedToken& p : parsed) {
    if (p.spec->place == OptionPlace::kCommandLineOnly) {
      ApplyAction(p.spec->id, p.value, &cli.actions, &cli.diagnostics);
    } else if (p.spec->id == OptionId::kProfile) {
      cli.profiles.push_back(p.value);
    } else {
      typed.push_back({p.spec->id, std::move(p.value), loc, ""});
    }
  }
  for (const std::string& name : cli.profiles) {
    LoadedProfile profile = LoadProfile(name, search_path);
    cli.diagnostics.Append(profile.diagnostics);
    cli.events.insert(cli.events.end(), profile.events.begin(), profile.events.end());
    cli.profile_files.insert(cli.profile_files.end(), profile.files.begin(), profile.files.end());
  }
  cli.events.insert(cli.events.end(), typed.begin(), typed.end());
  return cli;
}

}  // namespace ncp::policy
