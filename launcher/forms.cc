#include "launcher/forms.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/process_umask.h"
#include "core/protocol/caller_context.h"
#include "launcher/environment.h"
#include "launcher/passed_fds.h"

namespace ncp::launcher {

void AllowExecForPrograms(std::vector<policy::OptionEvent>* events) {
  if (std::none_of(events->begin(), events->end(),
                   [](const policy::OptionEvent& e) { return policy::WritesSeccompRules(e.id); })) {
    return;
  }
  policy::OptionEvent exec_set{policy::OptionId::kSeccompAllow,
                               "execve, execveat, arch_prctl",
                               {"program form (implicit)", 0},
                               ""};
  events->insert(events->begin(), std::move(exec_set));
}

LaunchSpec ProgramSpec(const policy::Plan& plan, const std::vector<std::string>& command,
                       bool verbose) {
  LaunchSpec spec;
  spec.command = command;
  spec.environment = ApplyEnvRules(plan, OwnEnvironment());
  for (const policy::FdMapping& m : plan.fds) spec.fds.push_back({m.fd, m.fd});
  spec.verbose = verbose;
  return spec;
}

base::StatusOr<PreparedEntry> CommandLineEntry(policy::Plan plan,
                                               const std::vector<std::string>& command,
                                               bool verbose) {
  auto entry = ParseEntryCommand(command);
  if (!entry.ok()) return entry.status();
  std::vector<policy::FdMapping> named = plan.fds;
  std::stable_sort(named.begin(), named.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  core::WireRequest request;
  request.kind = core::ChildKind::kArgs;
  request.library = entry->library;
  request.symbol = entry->symbol;
  request.params = entry->params;
  request.process_name = entry->symbol;
  request.environment = core::EnvironmentBlock(OwnEnvironment());
  request.umask = base::CurrentUmask();
  std::vector<FdPlacement> passed;
  for (size_t i = 0; i < named.size(); ++i) {
    request.fd_names.push_back(named[i].name);
    passed.push_back({named[i].fd, core::kFirstNamedFd + static_cast<int>(i)});
  }
  return PrepareEntry(std::move(plan), std::move(request), passed, verbose);
}

void AdoptCallerContext(const core::WireRequest& request) {
  // No directory (the caller's getcwd failed), or one the caller could enter but we cannot (or
  // that is gone): "/" is where the launcher then runs, never the directory it was started in.
  if (!core::AdoptCallerContext(request) || request.working_directory.empty()) {
    (void)!chdir("/");
  }
}

base::StatusOr<PreparedEntry> RequestEntry(policy::Plan plan, core::WireRequest request,
                                           int request_fd, bool verbose,
                                           const EntryChannels& channels) {
  if (!plan.fds.empty()) {
    return base::Error(base::Code::kInvalidArgument,
                       "--fd has no meaning in request mode: the request names its fds");
  }
  if (channels.warm && (!request.fd_names.empty() || request.ipc_fd >= 0)) {
    return base::Error(base::Code::kInvalidArgument,
                       "a warm template names no fds: they come with the real request");
  }
  std::vector<FdPlacement> passed;
  for (size_t i = 0; i < request.fd_names.size(); ++i) {
    const int fd = core::kFirstNamedFd + static_cast<int>(i);
    passed.push_back({fd, fd});
  }
  if (request.kind == core::ChildKind::kIpc && request.ipc_fd >= 0) {
    if (request.ipc_fd < core::kFirstNamedFd + static_cast<int>(request.fd_names.size())) {
      return base::Error(base::Code::kInvalidArgument,
                         "the request's IPC fd collides with the request or a named fd");
    }
    passed.push_back({request.ipc_fd, request.ipc_fd});
  }
  // The same rule as --fd: only what the caller handed us, checked before anything is made.
  for (const FdPlacement& p : passed) {
    if (base::Status s = CheckPassedFd(p.from, InheritedFds()); !s.ok()) {
      return base::Error(base::Code::kInvalidArgument, "the request's fds: " + s.message());
    }
  }
  // The umask is the caller's already (AdoptCallerContext): the sandbox's files are created
  // with it, and exec carries it into the sandbox, whose runtime keeps its own context.
  return PrepareEntry(std::move(plan), std::move(request), passed, verbose, channels, request_fd);
}

}  // namespace ncp::launcher
