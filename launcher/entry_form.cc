#include "launcher/entry_form.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/fd_numbers.h"
#include "base/memfd.h"
#include "launcher/entry_mode.h"
#include "launcher/entry_runtime_path.h"
#include "launcher/environment.h"
#include "launcher/library_path.h"
#include "launcher/passed_fds.h"
#include "launcher/warm_request.h"
#include "policy/source_identity.h"

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::UniqueFd;

void AddReadOnlyBind(const std::string& path, policy::Plan* plan) {
  policy::Mount bind{policy::MountKind::kReadOnlyBind, path, path, false};
  // Added after the policy-state check, so recorded here: the child mounts this file only.
  bind.identity = policy::IdentityOfSource(path);
  plan->mounts.push_back(std::move(bind));
}

}  // namespace

bool IsEntryCommand(const std::vector<std::string>& command) {
  if (command.empty()) return false;
  const std::string& first = command[0];
  const size_t colon = first.rfind(':');
  return colon != std::string::npos && colon > 0 && colon + 1 < first.size() &&
         first.find(".so") != std::string::npos && first.find(".so") < colon;
}

base::StatusOr<EntryCommand> ParseEntryCommand(const std::vector<std::string>& command) {
  if (!IsEntryCommand(command)) {
    return base::Error(base::Code::kInvalidArgument, "expected LIB.so:ENTRY");
  }
  EntryCommand entry;
  const size_t colon = command[0].rfind(':');
  entry.library = command[0].substr(0, colon);
  entry.symbol = command[0].substr(colon + 1);
  for (size_t i = 1; i < command.size(); ++i) {
    const std::string& arg = command[i];
    if (arg == "--params" && i + 1 < command.size()) {
      entry.params = command[++i];
    } else if (arg.starts_with("--params=")) {
      entry.params = arg.substr(9);
    } else {
      return base::Error(
          base::Code::kInvalidArgument,
          "unexpected '" + arg + "' after " + command[0] + " (only --params STRING may follow)");
    }
  }
  return entry;
}

base::StatusOr<PreparedEntry> PrepareEntry(policy::Plan plan_in, core::WireRequest request,
                                           const std::vector<FdPlacement>& passed_fds, bool verbose,
                                           const EntryChannels& channels, int original_request_fd) {
  if (!plan_in.namespaces.mount) {
    return base::Error(base::Code::kInvalidArgument,
                       "the entry form needs a mount namespace (its library and ncp-launch are "
                       "bound read-only into the sandbox)");
  }
  PreparedEntry out;
  // Moved, not copied: a plan holds the whole filter and every rule (a copy per sandbox showed
  // in the launcher's profile).
  out.plan = std::move(plan_in);
  const policy::Plan& plan = out.plan;
  out.requested_library = request.library;
  out.kind = request.kind;
  const std::vector<std::string> caller_environment = request.environment.ToVector();
  auto library = ResolveLibraryOnHost(request.library, caller_environment);
  if (channels.warm) out.library_search_environment = caller_environment;
  std::vector<std::string> sandbox_environment = ApplyEnvRules(plan, caller_environment);
  request.environment = core::EnvironmentBlock(sandbox_environment);
  if (!library.ok()) return library.status();
  auto runtime = EntryRuntimePath();
  if (!runtime.ok()) return runtime.status();
  std::vector<std::string> dirs = RuntimeLibraryDirs();
  dirs.push_back(std::filesystem::path(*library).parent_path().string());
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  for (const std::string& dir : dirs) AddReadOnlyBind(dir, &out.plan);
  AddReadOnlyBind(*runtime, &out.plan);  // after the dirs: it may sit in one of them

  out.resolved_library = *library;
  // The filter's and the entry report's numbers in the sandbox: after every passed fd (warm:
  // the fixed ones above every number a request can use).
  int next = core::kFirstNamedFd;
  for (const FdPlacement& p : passed_fds) next = std::max(next, p.to + 1);
  const int filter_target = channels.warm ? kWarmFilterFd : next;
  const int report_target = channels.warm ? kWarmEntryReportFd : next + 1;
  const int supervisor_target = channels.warm ? kWarmSupervisorFd : next + 2;
  // Our fds sit above every number the sandbox is given, the filter's included, so that no
  // passed fd can ever name one of them.
  const int floor = std::max(FirstInternalFd(passed_fds), supervisor_target + 1);
  base::StatusOr<UniqueFd> request_fd = base::Error(base::Code::kInternal, "no request");
  if (original_request_fd >= 0) {
    request_fd = UniqueFd(fcntl(original_request_fd, F_DUPFD_CLOEXEC, floor));
    if (!*request_fd) return ErrnoError("copy the request's fd");
  } else {
    request.library = *library;
    // The sandbox has its own root; "/" always exists there, the caller's directory may not.
    request.working_directory = "/";
    request_fd = base::MemfdWithContents("ncp-request", core::EncodeRequest(request),
                                         base::MemfdSeal::kSealed);
    if (!request_fd.ok()) return request_fd.status();
  }
  auto request_high = base::MoveAbove(std::move(*request_fd), floor);
  if (!request_high.ok()) return request_high.status();
  out.request_memfd = std::move(*request_high);

  // Warm: the real request comes later, through the forwarding socket.
  if (!channels.warm) out.spec.fds.push_back({out.request_memfd.get(), core::kRequestFd});
  for (const FdPlacement& p : passed_fds) out.spec.fds.push_back(p);
  EntryModeArgs args;
  if (channels.warm) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
      return ErrnoError("socketpair for the warm request");
    }
    UniqueFd host_end(pair[0]);
    auto child_end = base::MoveAbove(UniqueFd(pair[1]), floor);
    if (!child_end.ok()) return child_end.status();
    auto host_high = base::MoveAbove(std::move(host_end), floor);
    if (!host_high.ok()) return host_high.status();
    out.forward_host_end = std::move(*host_high);
    out.forward_child_end = std::move(*child_end);
    out.spec.fds.push_back({out.forward_child_end.get(), kWarmForwardFd});
    args.warm_fd = kWarmForwardFd;
  }
  if (channels.report_entry) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoError("pipe2 for the entry report");
    UniqueFd read_end(pipe_fds[0]);
    auto write_end = base::MoveAbove(UniqueFd(pipe_fds[1]), floor);
    if (!write_end.ok()) return write_end.status();
    auto read_high = base::MoveAbove(std::move(read_end), floor);
    if (!read_high.ok()) return read_high.status();
    out.entry_report_read = std::move(*read_high);
    out.entry_report_write = std::move(*write_end);
    out.spec.fds.push_back({out.entry_report_write.get(), report_target});
    args.report_fd = report_target;
  }
  int filter_number = -1;
  if (plan.seccomp.enabled) {
    const std::vector<sock_filter>& program = plan.seccomp.program;
    // Sealed: the sandbox can read the filter but nobody can change it any more.
    auto filter_fd =
        base::MemfdWithContents("ncp-seccomp",
                                std::string_view(reinterpret_cast<const char*>(program.data()),
                                                 program.size() * sizeof(sock_filter)),
                                base::MemfdSeal::kSealed);
    if (!filter_fd.ok()) return filter_fd.status();
    auto filter_high = base::MoveAbove(std::move(*filter_fd), floor);
    if (!filter_high.ok()) return filter_high.status();
    out.filter_memfd = std::move(*filter_high);
    filter_number = filter_target;
    out.spec.fds.push_back({out.filter_memfd.get(), filter_number});
  }
  args.filter_fd = filter_number;
  // The socket itself is made by Launch, which puts it there (launch_spec.h).
  if (plan.seccomp.enabled && plan.seccomp.supervised) {
    out.spec.supervisor_target = supervisor_target;
    args.supervisor_fd = supervisor_target;
  }
  for (const policy::Rlimit& limit : plan.rlimits) {
    if (IsMemoryLimit(limit.resource)) args.memory_limits.push_back(limit);
  }
  args.seccomp_before_load = plan.seccomp.before_load;
  args.library_path = *library;
  args.verbose = verbose;
  out.spec.command = EntryModeCommand(*runtime, args);
  out.spec.environment = std::move(sandbox_environment);
  out.spec.seccomp_in_program = true;
  out.spec.memory_limits_in_program = true;
  out.spec.verbose = verbose;
  return out;
}

}  // namespace ncp::launcher
