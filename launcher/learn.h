// ncp-launch --learn FILE: sets a run up to be answered call by call as its profiles would
// answer it (seccomp_supervisor.h LearnSession), and afterwards writes what it learned
// (policy/learned_profile.h). docs/writing-profiles.md shows the workflow.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "launcher/launch.h"
#include "launcher/seccomp_supervisor.h"
#include "policy/command_line.h"
#include "policy/plan.h"

namespace ncp::launcher {

// Checks that `plan` can learn (a pid namespace, values a profile line can hold), keeps its
// filter as the base, and swaps in the learning filter. Errors name what is missing.
base::StatusOr<std::unique_ptr<LearnSession>> StartLearning(const policy::ParsedCli& cli,
                                                            policy::Plan* plan);

// Writes the learned profile to cli.actions.learn_file, unless the run was killed or ran out
// of time (and --learn-always was not given). Returns the line to print either way.
std::string FinishLearning(const LearnSession& session, const policy::ParsedCli& cli,
                           const policy::Plan& plan, const ChildEnd& end);

}  // namespace ncp::launcher
