// Internal: runs Boost.Program_options over already-split option tokens and turns its
// exceptions into diagnostics. Shared by the command line and the profile reader so that both
// accept exactly the same vocabulary.
#pragma once

#include <string>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/option_table.h"

namespace ncp::policy::internal {

struct ParsedToken {
  const OptionSpec* spec;
  std::string value;
};

// `tokens` are "--key", "--key=value" or "--key value" style arguments without a program name.
// `in_profile` selects the option names shown in messages ("key" rather than "--key") and which
// options are refused. Returns false (after adding an error at `loc`) on the first problem.
bool ParseOptionTokens(const std::vector<std::string>& tokens, bool in_profile,
                       const SourceLoc& loc, std::vector<ParsedToken>* out, Diagnostics* diags);

}  // namespace ncp::policy::internal
