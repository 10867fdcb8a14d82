// The sandbox's environment: the plan's env rules applied to a starting environment (the
// launcher's own for the command-line forms, the request's in request mode).
#pragma once

#include <string>
#include <vector>

#include "policy/plan.h"

namespace ncp::launcher {

std::vector<std::string> ApplyEnvRules(const policy::Plan& plan,
                                       const std::vector<std::string>& start);

// This process's environment as NAME=VALUE strings.
std::vector<std::string> OwnEnvironment();

// The value of NAME in `env`, or nullptr.
const char* FindVariable(const std::vector<std::string>& env, const std::string& name);

}  // namespace ncp::launcher
