// ncp-launch: parse, maybe describe, launch, and turn the outcome into an exit status.
// Exit status: the child's; the child's signal re-raised; 125 launcher or profile error;
// 126 program cannot run; 127 program not found (the entry form: 120 library not loaded,
// 121 symbol not found, 122 bad request, from the child runtime).
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/exit_status.h"
#include "base/log.h"
#include "base/monotonic_clock.h"
#include "base/terminal_text.h"
#include "core/protocol/wire.h"
#include "launcher/cgroup.h"
#include "launcher/control_channel.h"
#include "launcher/entry_runtime_path.h"
#include "launcher/forms.h"
#include "launcher/host_ids.h"
#include "launcher/landlock.h"
#include "launcher/launch.h"
#include "launcher/learn.h"
#include "launcher/library_path.h"
#include "launcher/passed_fds.h"
#include "launcher/policy_sources.h"
#include "launcher/profile_dirs.h"
#include "launcher/request_flags.h"
#include "launcher/sandbox_end.h"
#include "launcher/self_check.h"
#include "launcher/status_fds.h"
#include "launcher/warm_builder.h"
#include "launcher/warm_request.h"
#include "ncp/native_child_process_ext.h"
#include "policy/command_line.h"
#include "policy/describe.h"
#include "policy/resolve.h"
#include "policy/seccomp_cache.h"

// LeakSanitizer's check, run before the quick exit below skips the atexit one (sanitizer builds
// only; plain builds have no such symbol).
extern "C" void __lsan_do_leak_check() __attribute__((weak));

namespace {

using ncp::launcher::LaunchSpec;


constexpr char kUsage[] =
    "usage: ncp-launch [OPTIONS] -- PROGRAM [ARGS...]\n"
    "       ncp-launch [OPTIONS] LIB.so:ENTRY [--params STRING]\n"
    "Runs PROGRAM, or the function ENTRY of LIB.so (OpenHarmony's native child process entry),\n"
    "in a sandbox built from profiles and options, without setuid.\n"
    "\n"
    "PROGRAM: looked up in the sandbox's PATH; --fd NAME=N stays at N. When the profiles\n"
    "configure a seccomp filter, execve, execveat and arch_prctl are allowed first (a later\n"
    "rule or seccomp-reset still wins), so `--profile default -- /bin/true` runs.\n"
    "LIB.so:ENTRY: a path, or a bare name looked up in NCP_LIBRARY_PATH, LD_LIBRARY_PATH and\n"
    "the system dirs; its directory is bound read-only. The entry gets --fd NAME=N at 4, 5, ...\n"
    "in name order (3 is the launch request, closed before the entry runs); the filter is\n"
    "installed after the library is loaded, right before the entry (see seccomp-before-load).\n"
    "Working directory: / in the sandbox.\n"
    "\n"
    "Exit status: the child's; its signal re-raised; 125 launcher or profile error;\n"
    "126 the program cannot run; 127 the program was not found; for an entry, 0 when it\n"
    "returns, 120 library not loaded, 121 no such entry, 122 bad launch request.\n\n";

constexpr char kEpilogue[] =
    "\nProfiles: --profile NAME looks for NAME.profile in share/ncp/profiles beside this\n"
    "program's prefix (shipped: default, network, strict, audit; never shadowed), then in\n"
    "$XDG_CONFIG_HOME/ncp/profiles (~/.config/ncp/profiles). A PATH (with a '/') is read as\n"
    "given. Compiled filters are cached in ~/.cache/ncp/seccomp of the passwd entry's home\n"
    "(root: /var/cache/ncp/seccomp), read-only in every sandbox.\n"
    "See ncp-launch(1) and ncp-profile(5).\n";

// Request mode's control socket (--control-fd); inactive otherwise.
ncp::launcher::ControlChannel g_control;
bool g_quiet_warnings = false;  // --warm
// The first error of this run, for the control socket's kFailed.
struct FirstFailure {
  bool set = false;
  int err = 0;
  std::string message;
} g_first_failure;

void RecordFailure(int err, const std::string& message) {
  if (g_first_failure.set) return;
  g_first_failure = {true, err, message};
}

// Every launcher error line goes through here: messages carry paths, names and values from
// the command line, profiles and the child, which must not reach the terminal as controls.
// With a control socket the error goes to the fork server (kFailed) and from there to the
// caller of Start*, who has it from the call: it is not printed on the application's stderr too.
void PrintError(const std::string& message) {
  RecordFailure(0, message);
  if (g_control.active()) return;
  std::fprintf(stderr, "ncp-launch: %s\n", ncp::base::EscapeForTerminal(message).c_str());
}

void PrintError(const ncp::base::Status& status) {
  RecordFailure(status.err(), status.ToString());
  PrintError(status.ToString());
}

// Diagnostics are printed as they are (errors only without a control socket, as above); the
// first error among them is what kFailed carries.
void PrintDiagnostics(const ncp::policy::Diagnostics& diagnostics) {
  bool recorded = false;
  for (const ncp::policy::Diagnostic& d : diagnostics.items()) {
    const bool error = d.severity == ncp::policy::Severity::kError;
    if (error && !recorded) {
      RecordFailure(0, d.Render());
      recorded = true;
    }
    // A warm build repeats what the cold start of its shape already said.
    if (g_quiet_warnings && !error) continue;
    if (!error || !g_control.active()) std::fprintf(stderr, "%s\n", d.Render().c_str());
  }
}


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

int64_t RealtimeNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

int ExitCodeForSetupError(const ncp::launcher::SetupError& e, bool entry) {
  // In the entry form the exec'd program is ncp-entry: failing to run it is ours.
  if (e.step != ncp::launcher::Step::kExec || entry) return ncp::base::kSandboxFailedExit;
  return e.err == ENOENT || e.err == ENOTDIR ? 127 : 126;
}

// --learn: the session that answers the run's calls, and the command line it writes from.
struct Learning {
  ncp::launcher::LearnSession* session = nullptr;
  const ncp::policy::ParsedCli* cli = nullptr;
};

int RunLaunch(const ncp::policy::Plan& plan, const LaunchSpec& given_spec, bool entry,
              ncp::launcher::StatusFds& status_fds,
              const ncp::launcher::SandboxReadyWork* ready_work = nullptr,
              const Learning& learning = {}) {
  std::fflush(stdout);  // the child inherits unflushed stdio buffers otherwise
  LaunchSpec spec = given_spec;
  spec.learn = learning.session;
  spec.on_cloned = [&](pid_t pid) { status_fds.Cloned(pid, plan.namespaces); };
  spec.on_started = [&](pid_t pid) { status_fds.Started(pid); };
  auto end = ncp::launcher::Launch(plan, spec);
  // A warm sandbox nobody asked for (the pool was trimmed): gone without a word.
  if (ready_work != nullptr && ready_work->abandoned) return 0;
  if (!end.ok()) {
    PrintError(end.status());
    return ncp::base::kSandboxFailedExit;
  }
  if (end->setup_error) {
    const int status = ExitCodeForSetupError(*end->setup_error, entry);
    RecordFailure(end->setup_error->err, end->setup_error->ToString());
    PrintError(end->setup_error->ToString());
    status_fds.SetupFailed(*end->setup_error);
    return status;
  }
  status_fds.Ended(*end, plan);
  if (learning.session != nullptr) {
    const std::string line =
        ncp::launcher::FinishLearning(*learning.session, *learning.cli, plan, *end);
    std::fprintf(stderr, "ncp-launch: %s\n", line.c_str());
  }
  const ncp::core::ExitCause cause = ncp::launcher::CauseOf(*end);
  if (g_control.active()) {
    // What the fork server cannot read from our wait status goes into its exit record.
    if (cause != ncp::core::CauseFromWaitStatus(end->signaled, end->value)) {
      const auto refused = ncp::launcher::RefusedCallOf(*end, plan);
      g_control.Send(ncp::core::MakeEndedReport(
          static_cast<int32_t>(cause), refused ? refused->nr : -1, refused ? refused->name : "",
          refused ? refused->profile_line : ""));
    }
  } else if (std::optional<std::string> line = ncp::launcher::EndLine(*end, plan)) {
    PrintError(*line);
  }
  // A time limit: the caller of the library sees SIGKILL (OpenHarmony's exit callback gets
  // signal 9), a command line sees timeout(1)'s 124.
  if (end->timed_out && g_control.active()) DieOfSignal(SIGKILL);
  if (end->timed_out) _exit(ncp::launcher::kTimeLimitExit);
  if (end->signaled) DieOfSignal(end->value);
  // The child's end is known and mirrored: nothing is left to do but exit. Not through the
  // destructors of the plan, the policy caches and the rest: they take milliseconds, and every
  // exit report (the application's exit callback) waits for this process to end.
  std::fflush(nullptr);
  if (&__lsan_do_leak_check != nullptr) __lsan_do_leak_check();
  _exit(end->value);
}

// The shell completions' hidden queries (scripts/completion/), answered only when one is the
// whole command line, so that no profile, option value or argument of a child is taken for one:
// --list-options (the option table, policy::OptionsForCompletion) and --list-profiles (the names
// --profile finds, shipped ones first).
std::optional<int> AnswerCompletionQuery(int argc, char** argv) {
  if (argc != 2) return std::nullopt;
  const std::string_view query = argv[1];
  if (query == "--list-options") {
    std::fputs(ncp::policy::OptionsForCompletion().c_str(), stdout);
    return 0;
  }
  if (query == "--list-profiles") {
    const ncp::policy::ProfileSearchPath search_path =
        ncp::launcher::ProfileSearchPathForThisBinary();
    for (const std::string& name : ncp::policy::ProfileNames(search_path)) {
      // One name a line: a name with a newline (or another control) is left out, not mangled.
      if (ncp::base::EscapeForTerminal(name) == name) std::printf("%s\n", name.c_str());
    }
    return 0;
  }
  return std::nullopt;
}

int Run(int argc, char** argv) {
  if (std::optional<int> status = AnswerCompletionQuery(argc, argv)) return *status;
  ncp::launcher::RequestFlags split = ncp::launcher::TakeRequestFlags(argc, argv);
  if (split.bad_request_fd) {
    PrintError("--request-fd needs a descriptor number");
    return ncp::base::kSandboxFailedExit;
  }
  if (split.bad_control_fd) {
    PrintError("--control-fd needs a descriptor number");
    return ncp::base::kSandboxFailedExit;
  }
  if (split.control_fd) {
    // Checked before it is used: only a socket the caller really gave us.
    struct stat st {};
    if (!ncp::launcher::InheritedFds().IsOpen(*split.control_fd) ||
        fstat(*split.control_fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
      PrintError("--control-fd=" + std::to_string(*split.control_fd) + ": not an open socket");
      return ncp::base::kSandboxFailedExit;
    }
    if (*split.control_fd == *split.request_fd) {
      PrintError("--control-fd is the request's fd");
      return ncp::base::kSandboxFailedExit;
    }
    fcntl(*split.control_fd, F_SETFD, FD_CLOEXEC);
    g_control.Open(*split.control_fd);
    g_quiet_warnings = split.warm;
  }
  if ((split.warm || split.report_entry) && !split.control_fd) {
    PrintError("--warm and --report-entry need --control-fd");
    return ncp::base::kSandboxFailedExit;
  }
  if (split.builder && !split.warm) {
    PrintError("--builder goes with --warm");
    return ncp::base::kSandboxFailedExit;
  }
  // Request mode: the request is read once, here, and its caller's environment, directory and
  // umask become ours before anything looks at them (profile search paths, relative profile
  // paths, the library's search path): the fork server execs us with its own.
  std::optional<ncp::core::WireRequest> request;
  if (split.request_fd) {
    auto decoded = ncp::core::ReadRequest(*split.request_fd);
    if (!decoded.ok()) {
      PrintError(decoded.status());
      return ncp::base::kSandboxFailedExit;
    }
    request = std::move(*decoded);
    ncp::launcher::AdoptCallerContext(*request);
  }
  const ncp::policy::ProfileSearchPath search_path =
      ncp::launcher::ProfileSearchPathForThisBinary();
  // Before any profile is read: a warm sandbox's policy files must not have changed since
  // (see the stamps below).
  const int64_t policy_read_start_ns = RealtimeNs();
  ncp::policy::ParsedCli cli = ncp::policy::ParseCommandLine(static_cast<int>(split.argv.size()),
                                                             split.argv.data(), search_path);
  PrintDiagnostics(cli.diagnostics);
  if (!cli.ok()) return ncp::base::kSandboxFailedExit;
  if (cli.actions.help) {
    std::printf("%s%s%s", kUsage, ncp::policy::OptionsHelp().c_str(), kEpilogue);
    return 0;
  }
  if (cli.actions.version) {
    std::printf("ncp-launch %s\n", NCP_VERSION);
    return 0;
  }
  const bool verbose = cli.actions.verbose;
  const bool request_mode = split.request_fd.has_value();
  const bool entry_form = !request_mode && ncp::launcher::IsEntryCommand(cli.command);
  const bool program_form = !request_mode && !entry_form && !cli.command.empty();
  if (request_mode && !cli.command.empty()) {
    PrintError("--request-fd takes no command");
    return ncp::base::kSandboxFailedExit;
  }
  if (program_form) ncp::launcher::AllowExecForPrograms(&cli.events);

  ncp::policy::ResolveOptions resolve_options;
  resolve_options.cache = &ncp::policy::ProcessSeccompCache();
  resolve_options.required_syscalls = ncp::policy::EssentialSyscalls();
  // Not execve: a filter that refuses the program's exec is a documented choice (later rules
  // win), and ends in a clear 126 "cannot run" instead of a silent crash.
  const int64_t resolve_start = ncp::base::MonotonicMicros();
  const ncp::policy::ResolveResult resolved = ncp::policy::Resolve(cli, resolve_options);
  PrintDiagnostics(resolved.diagnostics);
  if (!resolved.ok()) return ncp::base::kSandboxFailedExit;
  if (verbose) {
    ncp::base::LogLine("parent %-24s %6lld us", "resolve-and-load-filter",
                       static_cast<long long>(ncp::base::MonotonicMicros() - resolve_start));
  }
  ncp::policy::Plan plan = *resolved.plan;
  auto covers = ncp::launcher::CoverPolicyState(&plan, search_path, cli, resolved);
  if (!covers.ok()) {
    PrintError(covers.status().message());
    return ncp::base::kSandboxFailedExit;
  }
  const std::vector<std::string> sources =
      ncp::launcher::DescribeSources(cli, resolved, plan, *covers);
  if (verbose) {
    for (const std::string& line : sources) ncp::base::LogLine("parent %s", line.c_str());
  }
  // Which host ids the sandbox will run as is the launcher's choice, not the plan's: root gets
  // an id of its own per sandbox (host_ids.h).
  auto host_ids =
      ncp::launcher::PlanHostIds(cli.actions.isolation_uid, cli.actions.host_root, plan);
  if (cli.actions.check || cli.actions.explain_seccomp) {
    if (cli.actions.check) {
      std::fputs(ncp::policy::DescribePlan(plan).c_str(), stdout);
      std::fputs(ncp::launcher::DescribeLandlockSupport(plan).c_str(), stdout);
      std::fputs(ncp::launcher::DescribeCgroupSupport(plan).c_str(), stdout);
      // What every sandbox gets from ncp-launch itself (mounts.cc, launch.cc).
      if (plan.namespaces.mount) {
        std::fputs("/dev: null, zero, full, random, urandom in a read-only 16K tmpfs\n", stdout);
      }
      std::fputs("oom_score_adj: 1000 (the OOM killer takes the sandbox first)\n", stdout);
      if (!host_ids.ok()) {
        std::printf("host ids: refused: %s\n",
                    ncp::base::EscapeForTerminal(host_ids.status().message()).c_str());
        return ncp::base::kSandboxFailedExit;
      }
      std::fputs(ncp::launcher::DescribeHostIds(*host_ids, plan).c_str(), stdout);
      if (cli.actions.idmap_binds) {
        std::fputs(host_ids->kind == ncp::launcher::HostIdKind::kLeased
                       ? "writable binds: idmapped, files keep root's ownership (--idmap-binds)\n"
                       : "writable binds: plain (--idmap-binds applies to root's leased ids)\n",
                   stdout);
      }
      for (const std::string& line : sources) {
        std::printf("%s\n", ncp::base::EscapeForTerminal(line).c_str());
      }
    }
    if (cli.actions.explain_seccomp) {
      std::fputs(ncp::policy::ExplainSeccomp(plan).c_str(), stdout);
    }
    return 0;
  }
  if (!request_mode && cli.command.empty()) {
    PrintError("nothing to run (see --help)");
    return ncp::base::kSandboxFailedExit;
  }
  std::unique_ptr<ncp::launcher::LearnSession> learn_session;
  if (cli.actions.learn_file) {
    if (request_mode) {
      PrintError("--learn is for the command line");
      return ncp::base::kSandboxFailedExit;
    }
    auto started = ncp::launcher::StartLearning(cli, &plan);
    if (!started.ok()) {
      PrintError(started.status().message());
      return ncp::base::kSandboxFailedExit;
    }
    learn_session = std::move(*started);
  } else if (!cli.actions.learn_also.empty() || cli.actions.learn_always) {
    PrintError("--learn-also and --learn-always go with --learn FILE");
    return ncp::base::kSandboxFailedExit;
  }
  const Learning learning{learn_session.get(), &cli};

  // Before anything of ours is created: a number the caller did not give us must never reach
  // a pipe or memfd of ours that happens to take it.
  for (const ncp::policy::FdMapping& m : resolved.plan->fds) {
    if (ncp::base::Status s = ncp::launcher::CheckPassedFd(m.fd, ncp::launcher::InheritedFds());
        !s.ok()) {
      PrintError("--fd " + m.name + "=" + std::to_string(m.fd) + ": " + s.message());
      return ncp::base::kSandboxFailedExit;
    }
  }
  std::vector<int> passed_fds;
  for (const ncp::policy::FdMapping& m : resolved.plan->fds) passed_fds.push_back(m.fd);
  auto status_fds =
      ncp::launcher::StatusFds::Take(cli.actions.json_status_fd, cli.actions.info_fd, passed_fds);
  if (!status_fds.ok()) {
    PrintError(status_fds.status().message());
    return ncp::base::kSandboxFailedExit;
  }
  if (ncp::base::Status s = ncp::launcher::CheckStandardFds(); !s.ok()) {
    PrintError(s.message());
    return ncp::base::kSandboxFailedExit;
  }

  if (!host_ids.ok()) {
    PrintError(host_ids.status().message());
    return ncp::base::kSandboxFailedExit;
  }
  // What a warm sandbox's policy was read from, as it was when it was read.
  std::vector<ncp::launcher::FileStamp> policy_stamps;
  if (split.warm) {
    for (const ncp::policy::ProfileFile& file : cli.profile_files) {
      policy_stamps.push_back(ncp::launcher::StampOf(file.path));
    }
    for (const std::string& file : resolved.oci_files) {
      policy_stamps.push_back(ncp::launcher::StampOf(file));
    }
    // A stamp taken after the read says what the file is now, not what was read: a file
    // changed while (or just before) it was read would pass every later check with a policy
    // older than itself, in every sandbox a builder makes. Such a file is not built from warm;
    // the cold start that follows reads it afresh. (50 ms: the kernel's file times run on a
    // coarse clock.)
    for (const ncp::launcher::FileStamp& stamp : policy_stamps) {
      if (stamp.exists && stamp.ctime_ns >= policy_read_start_ns - 50'000'000) {
        PrintError(stamp.path + " changed while it was read: no warm sandbox is built from it");
        return ncp::base::kSandboxFailedExit;
      }
    }
  }
  // A shape's builder: everything above is done once; each sandbox goes on from here in a
  // launcher process of its own, with its own control socket (warm_builder.h).
  if (split.builder) {
    if (!request_mode) {
      PrintError("--builder is for warm request mode");
      return ncp::base::kSandboxFailedExit;
    }
    auto entry_runtime = ncp::launcher::EntryRuntimePath();
    if (!entry_runtime.ok()) {
      PrintError(entry_runtime.status());
      return ncp::base::kSandboxFailedExit;
    }
    (void)ncp::launcher::RuntimeLibraryDirs();  // looked up once, here, not in every sandbox
    g_control.Ready();
    g_control.Open(ncp::launcher::ServeBuildRequests(g_control.fd(), {*entry_runtime}));
  }
  // Held until ncp-launch exits; the sandbox's init holds a copy as long as it lives.
  const int64_t lease_start = ncp::base::MonotonicMicros();
  auto taken_ids = ncp::launcher::TakeHostIds(*host_ids, plan.namespaces.pid);
  if (verbose) {
    ncp::base::LogLine("parent %-24s %6lld us", "take-host-ids",
                       static_cast<long long>(ncp::base::MonotonicMicros() - lease_start));
  }
  if (!taken_ids.ok()) {
    PrintError(taken_ids.status());
    return ncp::base::kSandboxFailedExit;
  }

  if (program_form) {
    LaunchSpec spec = ncp::launcher::ProgramSpec(plan, cli.command, verbose);
    spec.isolation = taken_ids->isolation;
    spec.host_id_lock_fd = taken_ids->lease_lock.get();
    spec.idmap_writable_binds = cli.actions.idmap_binds;
    return RunLaunch(plan, spec, /*entry=*/false, *status_fds, nullptr, learning);
  }
  ncp::launcher::EntryChannels channels;
  channels.warm = split.warm;
  channels.report_entry = split.report_entry;
  auto prepared = request_mode
                      ? ncp::launcher::RequestEntry(std::move(plan), std::move(*request),
                                                    *split.request_fd, verbose, channels)
                      : ncp::launcher::CommandLineEntry(std::move(plan), cli.command, verbose);
  if (!prepared.ok()) {
    PrintError(prepared.status());
    // The library is not on the host: for the library's caller that is the child failing to
    // load it (OpenHarmony's Start* does not check it), not a sandbox that could not be built.
    if (prepared.status().code() == ncp::base::Code::kNotFound) {
      return NCP_CHILD_EXIT_LIBRARY_NOT_LOADED;
    }
    return ncp::base::kSandboxFailedExit;
  }
  for (const ncp::launcher::FdPlacement& p : prepared->spec.fds) {
    if (g_control.active() && p.from == g_control.fd()) {
      PrintError("--control-fd is one of the request's fds");
      return ncp::base::kSandboxFailedExit;
    }
  }
  prepared->spec.isolation = taken_ids->isolation;
  prepared->spec.host_id_lock_fd = taken_ids->lease_lock.get();
  prepared->spec.idmap_writable_binds = cli.actions.idmap_binds;
  ncp::launcher::SandboxReadyWork ready_work;
  if (g_control.active()) {
    ready_work.control = &g_control;
    ready_work.verbose = verbose;
    ready_work.entry_report_read = std::move(prepared->entry_report_read);
    ready_work.entry_report_child_end = std::move(prepared->entry_report_write);
    ready_work.warm = split.warm;
    ready_work.warm_template = {prepared->requested_library, prepared->kind, {}};
    if (split.warm) {
      std::vector<ncp::launcher::FileStamp>& stamps = ready_work.warm_template.built_from;
      stamps = std::move(policy_stamps);
      stamps.push_back(ncp::launcher::StampOf(prepared->resolved_library));
      // Every bind source, there or not (a *-try one may appear): a cold start binds what is
      // there at the call, and a bind made now pins what was there at the build.
      for (const ncp::policy::Mount& m : prepared->plan.mounts) {
        if (m.kind == ncp::policy::MountKind::kTmpfs || m.source.empty() || m.in_place) continue;
        stamps.push_back(ncp::launcher::StampOf(m.source));
      }
      ready_work.warm_template.resolved_library = prepared->resolved_library;
      ready_work.warm_template.library_search_environment =
          std::move(prepared->library_search_environment);
    }
    ready_work.forward_host_end = std::move(prepared->forward_host_end);
    ready_work.forward_child_end = std::move(prepared->forward_child_end);
    prepared->spec.on_sandbox_ready = [&ready_work] {
      return ncp::launcher::OnSandboxReady(&ready_work);
    };
  }
  return RunLaunch(prepared->plan, prepared->spec, /*entry=*/true, *status_fds, &ready_work,
                   learning);
}

}  // namespace

int main(int argc, char** argv) {
  // First, on every path: a privileged copy must refuse to run at all.
  if (ncp::base::Status s = ncp::launcher::RefuseIfPrivilegedBinary(); !s.ok()) {
    PrintError(s.ToString());
    return ncp::base::kSandboxFailedExit;
  }
  ncp::launcher::RememberInheritedFds();
  // Nothing below is meant to throw; this only keeps an unexpected bad_alloc from aborting with
  // a core dump instead of an exit status.
  int status = ncp::base::kSandboxFailedExit;
  try {
    status = Run(argc, argv);
  } catch (...) {
    PrintError("internal error");
  }
  // Whatever ended the run before the sandbox was ready: the fork server hears it at once.
  if (g_control.active() && !g_control.settled()) {
    g_control.Failed(status, g_first_failure.err,
                     g_first_failure.set ? g_first_failure.message
                                         : "ncp-launch ended with " + std::to_string(status) +
                                               " before the sandbox was ready");
  }
  return status;
}
