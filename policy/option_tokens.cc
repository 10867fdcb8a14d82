#include "policy/option_tokens.h"

#include <boost/program_options/errors.hpp>
#include <boost/program_options/parsers.hpp>

namespace ncp::policy::internal {
namespace {

namespace po = boost::program_options;

std::string Shown(std::string name, bool in_profile) {
  if (in_profile) {
    while (!name.empty() && name.front() == '-') name.erase(0, 1);
  }
  return name;
}

std::string DescribeBoostError(const po::error& e, bool in_profile) {
  if (auto* unknown = dynamic_cast<const po::unknown_option*>(&e)) {
    return "unknown option '" + Shown(unknown->get_option_name(), in_profile) + "'";
  }
  if (auto* syntax = dynamic_cast<const po::invalid_command_line_syntax*>(&e)) {
    std::string name = "'" + Shown(syntax->get_option_name(), in_profile) + "'";
    switch (syntax->kind()) {
      case po::invalid_syntax::missing_parameter:
      case po::invalid_syntax::empty_adjacent_parameter:
        return "option " + name + " needs a value";
      case po::invalid_syntax::extra_parameter:
        return "option " + name + " takes no value";
      default:
        break;
    }
  }
  return e.what();
}

}  // namespace

bool ParseOptionTokens(const std::vector<std::string>& tokens, bool in_profile,
                       const SourceLoc& loc, std::vector<ParsedToken>* out, Diagnostics* diags) {
  po::parsed_options parsed(nullptr);
  try {
    // No prefix guessing: "--unshare" must not silently mean one of the unshare-* options.
    const int style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;
    parsed = po::command_line_parser(tokens).options(BoostOptions()).style(style).run();
  } catch (const po::error& e) {
    diags->Error(loc, DescribeBoostError(e, in_profile));
    return false;
  } catch (const std::exception& e) {
    diags->Error(loc, e.what());
    return false;
  }
  for (const po::option& option : parsed.options) {
    const OptionSpec* spec = FindOption(option.string_key);
    std::string shown = "'" + (in_profile ? option.string_key : "--" + option.string_key) + "'";
    if (spec == nullptr) {  // a positional token: the caller split the command off already
      std::string token = option.original_tokens.empty() ? "" : option.original_tokens.front();
      diags->Error(loc, "unexpected argument '" + token + "'");
      return false;
    }
    if (in_profile && spec->place == OptionPlace::kCommandLineOnly) {
      diags->Error(loc, "option " + shown + " is only valid on the command line");
      return false;
    }
    if (!in_profile && spec->place == OptionPlace::kProfileOnly) {
      diags->Error(loc, "option " + shown + " is only valid in a profile file");
      return false;
    }
    std::string value = option.value.empty() ? "" : option.value.front();
    if (spec->takes_value() && value.empty()) {
      diags->Error(loc, "option " + shown + " needs a value");
      return false;
    }
    out->push_back({spec, std::move(value)});
  }
  return true;
}

}  // namespace ncp::policy::internal
