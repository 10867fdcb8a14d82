#include "launcher/child_setup.h"

#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/monotonic_clock.h"
#include "launcher/landlock.h"
#include "launcher/setup_error.h"
#include "launcher/signals.h"
#include "launcher/steps.h"
#include "launcher/userns.h"

extern char** environ;

namespace ncp::launcher {
namespace {

// Runs one step; on failure reports it and exits. Privileges may be half dropped by then, so
// there is no recovery (minijail's rule).
// With --verbose: the step's name and its time since `began`.
void LogStep(const ChildContext& c, Step step, int64_t began) {
  if (!c.spec->verbose) return;
  base::LogLine("child  %-24s %6lld us", StepName(step),
                static_cast<long long>(base::MonotonicMicros() - began));
}

template <typename Fn>
void Run(const ChildContext& c, Step step, Fn&& fn) {
  const int64_t began = c.spec->verbose ? base::MonotonicMicros() : 0;
  base::Status status = fn();
  if (!status.ok()) {
    ReportSetupError(c.error_fd, step, status);
    _exit(base::kSandboxFailedExit);
  }
  LogStep(c, step, began);
}

// The exec's arrays, built before the memory limits go on: nothing after them allocates.
struct ExecArrays {
  std::vector<std::string> env;
  std::vector<char*> envp;
  std::vector<char*> argv;
  std::string failure;  // the message if the exec fails
};

ExecArrays PrepareExec(const ChildContext& c) {
  ExecArrays a;
  a.env = c.spec->environment;
  for (std::string& s : a.env) a.envp.push_back(s.data());
  a.envp.push_back(nullptr);
  for (const std::string& s : c.spec->command) a.argv.push_back(const_cast<char*>(s.c_str()));
  a.argv.push_back(nullptr);
  a.failure = "cannot run " + c.spec->command[0];
  return a;
}

[[noreturn]] void ExecProgram(const ChildContext& c, ExecArrays& a) {
  // execvp searches the PATH of the current environment, so the sandbox's PATH must be in place.
  environ = a.envp.data();
  execvp(a.argv[0], a.argv.data());
  const int err = errno;
  ReportSetupError(c.error_fd, Step::kExec, base::ErrnoError(a.failure, err));
  _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

// The program's last steps, in its own process (the pid namespace's pid 2, or the child
// itself without one), ending in its exec.
[[noreturn]] void RunProgramSteps(const ChildContext& c) {
  const policy::Plan& plan = *c.plan;
  const LaunchSpec& spec = *c.spec;
  // After the pivot (the rules name the mounts at their places) and the fd moves (passed fds
  // get rules by their final numbers), and in the program's process, so init stays outside
  // the domain and can still signal in. Also in the entry form, before ncp-launch re-execs
  // itself: its own read-only bind gives it execute, the library's gives read (mmap is not
  // checked), and the library's constructors then run confined too.
  if (plan.landlock.mode != policy::LandlockMode::kOff && plan.namespaces.mount) {
    std::vector<int> passed;
    for (const FdPlacement& p : spec.fds) passed.push_back(p.to);
    Run(c, Step::kLandlock, [&] { return ApplyLandlock(plan, passed, spec.verbose); });
  }
  // Blocked since clone (signals.h); a signal sent during setup is delivered here and ends the
  // program before it runs. Before the filter, which need not allow rt_sigprocmask.
  RestoreCallerSignalMask();
  ExecArrays exec = PrepareExec(c);
  if (!spec.memory_limits_in_program) {
    Run(c, Step::kApplyMemoryLimits, [&] { return ApplyRlimits(plan, RlimitSet::kMemory); });
  }
  // Last, so the filter need not allow anything the setup itself uses. The entry form installs
  // it after exec, once its library is loaded (entry_mode.cc).
  if (plan.seccomp.enabled && !spec.seccomp_in_program) {
    Run(c, Step::kInstallSeccomp,
        [&] { return InstallSeccomp(plan.seccomp.program, c.supervisor_fd); });
  }
  ExecProgram(c, exec);
}

}  // namespace

void SetUpAndExec(const ChildContext& context) {
  ChildContext c = context;  // the fd step moves the internal fds
  const policy::Plan& plan = *c.plan;
  const LaunchSpec& spec = *c.spec;
  if (c.parent_writes_maps) {
    Run(c, Step::kWaitForParentIdMaps, [&] { return WaitForParentIdMaps(c.sync_fd); });
  } else {
    Run(c, Step::kWriteOwnIdMaps,
        [&] { return WriteOwnIdMaps(c.inside_uid, c.inside_gid, c.outside_uid, c.outside_gid); });
  }
  // Bind sources that the isolation ids may not be able to reach, opened while the child still
  // has the caller's ids (steps.h).
  std::vector<base::UniqueFd> early_sources;
  if (spec.isolation && plan.namespaces.mount) {
    Run(c, Step::kOpenBindSources,
        [&] { return OpenBindSources(plan, c.bind_trees, &early_sources); });
  }
  std::vector<int> early_source_fds;
  for (const base::UniqueFd& fd : early_sources) early_source_fds.push_back(fd.get());
  if (spec.isolation) {
    Run(c, Step::kSwitchToIsolationIds,
        [&] { return SwitchToIsolationIds(c.inside_uid, c.inside_gid); });
  }
  // Before the mounts: /dev/tty is the host's until the pivot.
  Run(c, Step::kLeaveTerminal, [] { return LeaveTerminal(); });
  if (plan.namespaces.mount) {
    // Before any mount, so nothing below propagates back to the host.
    Run(c, Step::kMakeRootPrivate, [] { return MakeRootPrivate(); });
    Run(c, Step::kBuildRootfs, [&] { return BuildRootfs(plan, c.bind_trees, early_source_fds); });
    Run(c, Step::kPivotRoot, [] { return PivotRoot(); });
  }
  if (plan.hostname) Run(c, Step::kSetHostname, [&] { return SetHostname(plan); });
  if (plan.chdir) Run(c, Step::kChangeDirectory, [&] { return ChangeDirectory(plan); });
  if (plan.namespaces.net) Run(c, Step::kBringUpLoopback, [] { return BringUpLoopback(); });
  int* internal[] = {&c.sync_fd, &c.error_fd, &c.status_fd, &c.host_id_lock_fd, &c.supervisor_fd};
  Run(c, Step::kMoveAndCloseFds, [&] { return MoveAndCloseFds(spec.fds, internal); });
  Run(c, Step::kApplyRlimits, [&] { return ApplyRlimits(plan, RlimitSet::kProcess); });
  // Before dropping capabilities: with no_new_privs set, nothing can hand them back on exec.
  Run(c, Step::kSetNoNewPrivs, [] { return SetNoNewPrivs(); });
  Run(c, Step::kDropCapabilities, [] { return DropCapabilities(); });
  // After the last credential change, which would clear it.
  Run(c, Step::kSetParentDeathSignal, [&] { return SetParentDeathSignal(c.sync_fd); });
  // Done with it: closed here, not left to close-on-exec (the error pipe alone stays until the
  // exec, whose success its closing reports; the program closes init's status pipe).
  close(c.sync_fd);
  c.sync_fd = -1;
  if (plan.namespaces.pid) {
    const int64_t began = spec.verbose ? base::MonotonicMicros() : 0;
    const std::function<void()> program_steps = [&c, began] {
      LogStep(c, Step::kStartInit, began);
      RunProgramSteps(c);
    };
    // Returns only with an error of init's own; the program runs program_steps.
    Run(c, Step::kStartInit,
        [&] { return StartInit(c.status_fd, c.error_fd, c.host_id_lock_fd, program_steps); });
  }
  RunProgramSteps(c);
}

}  // namespace ncp::launcher
