#include "launcher/child_setup.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <string>
#include <vector>

#include "base/log.h"
#include "launcher/setup_error.h"
#include "launcher/steps.h"

extern char** environ;

namespace ncp::launcher {
namespace {

int64_t NowMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

// Runs one step; on failure reports it and exits. Privileges may be half dropped by then, so
// there is no recovery (minijail's rule).
template <typename Fn>
void Run(const ChildContext& c, Step step, Fn&& fn) {
  const int64_t start = c.verbose ? NowMicros() : 0;
  base::Status status = fn();
  if (!status.ok()) {
    ReportSetupError(c.error_fd, step, status);
    _exit(kSetupFailedExit);
  }
  if (c.verbose) {
    base::LogLine("%-24s %6lld us", StepName(step), static_cast<long long>(NowMicros() - start));
  }
}

// The plan's environment operations applied to the starting environment.
std::vector<std::string> BuildEnvironment(const policy::Plan& plan) {
  std::vector<std::string> env;
  if (!plan.clear_env) {
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  }
  for (const policy::EnvOp& op : plan.env) {
    const std::string prefix = op.name + "=";
    std::erase_if(env, [&](const std::string& s) { return s.starts_with(prefix); });
    if (op.kind == policy::EnvOpKind::kSet) env.push_back(prefix + op.value);
  }
  return env;
}

[[noreturn]] void ExecProgram(const ChildContext& c) {
  std::vector<std::string> env = BuildEnvironment(*c.plan);
  std::vector<char*> envp;
  for (std::string& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const std::string& s : *c.command) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  // execvp searches the PATH of the current environment, so the sandbox's PATH must be in place.
  environ = envp.data();
  execvp(argv[0], argv.data());
  const int err = errno;
  ReportSetupError(c.error_fd, Step::kExec, base::ErrnoError("cannot run " + (*c.command)[0], err));
  _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

}  // namespace

void SetUpAndExec(const ChildContext& c) {
  const policy::Plan& plan = *c.plan;
  Run(c, Step::kWaitForParentIdMaps, [&] { return WaitForParentIdMaps(c.sync_fd); });
  if (plan.namespaces.mount) {
    // Before any mount, so nothing below propagates back to the host.
    Run(c, Step::kMakeRootPrivate, [] { return MakeRootPrivate(); });
    Run(c, Step::kBuildRootfs, [&] { return BuildRootfs(plan); });
    Run(c, Step::kPivotRoot, [] { return PivotRoot(); });
  }
  if (plan.hostname) Run(c, Step::kSetHostname, [&] { return SetHostname(plan); });
  if (plan.namespaces.net) Run(c, Step::kBringUpLoopback, [] { return BringUpLoopback(); });
  const int internal[] = {c.sync_fd, c.error_fd, c.status_fd};
  Run(c, Step::kMoveAndCloseFds, [&] { return MoveAndCloseFds(plan, internal); });
  Run(c, Step::kApplyRlimits, [&] { return ApplyRlimits(plan); });
  // Before dropping capabilities: with no_new_privs set, nothing can hand them back on exec.
  Run(c, Step::kSetNoNewPrivs, [] { return SetNoNewPrivs(); });
  Run(c, Step::kDropCapabilities, [] { return DropCapabilities(); });
  // After the last credential change, which would clear it.
  Run(c, Step::kSetParentDeathSignal, [&] { return SetParentDeathSignal(c.sync_fd); });
  if (plan.namespaces.pid)
    Run(c, Step::kStartInit, [&] { return StartInit(c.status_fd, c.error_fd); });
  // Last, so the filter need not allow anything the setup itself uses.
  if (plan.seccomp.enabled) Run(c, Step::kInstallSeccomp, [&] { return InstallSeccomp(plan); });
  ExecProgram(c);
}

}  // namespace ncp::launcher
