// ncp-launch: parse, maybe describe, launch, and turn the outcome into an exit status.
// Exit status: the program's; the program's signal re-raised; 125 launcher or profile error;
// 126 program cannot run; 127 program not found.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "launcher/launch.h"
#include "launcher/self_check.h"
#include "policy/command_line.h"
#include "policy/describe.h"
#include "policy/resolve.h"
#include "policy/seccomp_cache.h"

namespace {

constexpr int kLauncherError = 125;

constexpr char kUsage[] =
    "usage: ncp-launch [OPTIONS] -- PROGRAM [ARGS...]\n"
    "       ncp-launch [OPTIONS] LIB.so:ENTRY [--params STRING]   (not implemented yet)\n"
    "Runs PROGRAM in a sandbox built from profiles and options, without setuid.\n"
    "Exit status: the program's; its signal re-raised; 125 launcher or profile error;\n"
    "126 the program cannot run; 127 the program was not found.\n\n";

// A signal death is passed on as the same signal, so a parent's waitid sees what really
// happened. Core dumps off: the program already dumped (or was not allowed to).
[[noreturn]] void DieOfSignal(int sig) {
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  raise(sig);
  _exit(128 + sig);  // a signal whose default is not to terminate
}

int ExitCodeForSetupError(const ncp::launcher::SetupError& e) {
  if (e.step != ncp::launcher::Step::kExec) return kLauncherError;
  return e.err == ENOENT || e.err == ENOTDIR ? 127 : 126;
}

int Run(int argc, char** argv) {
  if (ncp::base::Status s = ncp::launcher::RefuseIfPrivilegedBinary(); !s.ok()) {
    std::fprintf(stderr, "ncp-launch: %s\n", s.ToString().c_str());
    return kLauncherError;
  }
  const ncp::policy::ParsedCli cli = ncp::policy::ParseCommandLine(
      argc, argv, ncp::policy::DefaultProfileSearchPath(NCP_INSTALLED_PROFILES_DIR));
  std::fputs(cli.diagnostics.Render().c_str(), stderr);
  if (!cli.ok()) return kLauncherError;
  if (cli.actions.help) {
    std::printf("%s%s", kUsage, ncp::policy::OptionsHelp().c_str());
    return 0;
  }
  if (cli.actions.version) {
    std::printf("ncp-launch %s\n", NCP_VERSION);
    return 0;
  }

  ncp::policy::ResolveOptions resolve_options;
  resolve_options.cache = &ncp::policy::ProcessSeccompCache();
  const ncp::policy::ResolveResult resolved = ncp::policy::Resolve(cli, resolve_options);
  std::fputs(resolved.diagnostics.Render().c_str(), stderr);
  if (!resolved.ok()) return kLauncherError;
  if (cli.actions.check || cli.actions.explain_seccomp) {
    if (cli.actions.check) std::fputs(ncp::policy::DescribePlan(*resolved.plan).c_str(), stdout);
    if (cli.actions.explain_seccomp) {
      std::fputs(ncp::policy::ExplainSeccomp(*resolved.plan).c_str(), stdout);
    }
    return 0;
  }

  if (cli.command.empty()) {
    std::fprintf(stderr, "ncp-launch: nothing to run (see --help)\n");
    return kLauncherError;
  }
  if (cli.command[0].find(".so:") != std::string::npos) {
    std::fprintf(stderr, "ncp-launch: the LIB.so:ENTRY form is not implemented yet\n");
    return kLauncherError;
  }
  std::fflush(stdout);  // the child inherits unflushed stdio buffers otherwise

  ncp::launcher::LaunchOptions options;
  options.verbose = cli.actions.verbose;
  auto end = ncp::launcher::Launch(*resolved.plan, cli.command, options);
  if (!end.ok()) {
    std::fprintf(stderr, "ncp-launch: %s\n", end.status().ToString().c_str());
    return kLauncherError;
  }
  if (end->setup_error) {
    std::fprintf(stderr, "ncp-launch: %s\n", end->setup_error->ToString().c_str());
    return ExitCodeForSetupError(*end->setup_error);
  }
  if (end->signaled) DieOfSignal(end->value);
  return end->value;
}

}  // namespace

int main(int argc, char** argv) {
  // Nothing below is meant to throw; this only keeps an unexpected bad_alloc from aborting with
  // a core dump instead of an exit status.
  try {
    return Run(argc, argv);
  } catch (...) {
    std::fprintf(stderr, "ncp-launch: internal error\n");
    return kLauncherError;
  }
}
