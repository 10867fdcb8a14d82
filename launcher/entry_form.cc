#include "launcher/entry_form.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/memfd.h"
#include "launcher/entry_mode.h"
#include "launcher/environment.h"
#include "launcher/library_path.h"
#include "launcher/passed_fds.h"
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
      return base::Error(base::Code::kInvalidArgument,
                         "unexpected '" + arg + "' after " + command[0] +
                             " (only --params STRING may follow)");
    }
  }
  return entry;
}

base::StatusOr<PreparedEntry> PrepareEntry(const policy::Plan& plan, core::WireRequest request,
                                           const std::vector<FdPlacement>& passed_fds,
                                           bool verbose) {
  if (!plan.namespaces.mount) {
    return base::Error(base::Code::kInvalidArgument,
                       "the entry form needs a mount namespace (its library and ncp-launch are "
                       "bound read-only into the sandbox)");
  }
  PreparedEntry out;
  out.plan = plan;
  auto library = ResolveLibraryOnHost(request.library, request.environment);
  request.environment = ApplyEnvRules(plan, request.environment);
  if (!library.ok()) return library.status();
  auto self = OwnExecutablePath();
  if (!self.ok()) return self.status();
  std::vector<std::string> dirs = RuntimeLibraryDirs();
  dirs.push_back(std::filesystem::path(*library).parent_path().string());
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  for (const std::string& dir : dirs) AddReadOnlyBind(dir, &out.plan);
  AddReadOnlyBind(*self, &out.plan);  // after the dirs: it may sit in one of them

  request.library = *library;
  // The sandbox has its own root; "/" always exists there, the caller's directory may not.
  request.working_directory = "/";
  const std::string bytes = core::EncodeRequest(request);
  // The filter's number in the sandbox: after every passed fd.
  int next = core::kFirstNamedFd;
  for (const FdPlacement& p : passed_fds) next = std::max(next, p.to + 1);
  // Our memfds sit above every number the sandbox is given, the filter's included, so that no
  // passed fd can ever name one of them.
  const int floor = std::max(FirstInternalFd(passed_fds), next + 1);
  auto request_fd = base::MemfdWithContents("ncp-request", bytes, base::MemfdSeal::kSealed);
  if (!request_fd.ok()) return request_fd.status();
  auto request_high = MoveAbove(std::move(*request_fd), floor);
  if (!request_high.ok()) return request_high.status();
  out.request_memfd = std::move(*request_high);

  out.spec.fds.push_back({out.request_memfd.get(), core::kRequestFd});
  for (const FdPlacement& p : passed_fds) out.spec.fds.push_back(p);
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
    auto filter_high = MoveAbove(std::move(*filter_fd), floor);
    if (!filter_high.ok()) return filter_high.status();
    out.filter_memfd = std::move(*filter_high);
    filter_number = next;
    out.spec.fds.push_back({out.filter_memfd.get(), filter_number});
  }
  EntryModeArgs args;
  args.filter_fd = filter_number;
  args.seccomp_before_load = plan.seccomp.before_load;
  args.library_path = *library;
  args.verbose = verbose;
  out.spec.command = EntryModeCommand(*self, args);
  out.spec.environment = request.environment;
  out.spec.seccomp_in_program = true;
  out.spec.verbose = verbose;
  return out;
}

}  // namespace ncp::launcher
