#include "core/app/child_starter.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "base/isolation_uid.h"
#include "base/log.h"
#include "base/memfd.h"
#include "base/unique_fd.h"
#include "core/app/caller_snapshot.h"
#include "core/app/child_registry.h"
#include "core/app/install_paths.h"
#include "core/app/warm_key.h"
#include "core/child/child_state.h"
#include "core/protocol/fork_server_protocol.h"
#include "core/protocol/wire.h"

namespace ncp::core {
namespace {

std::atomic<unsigned> g_request_counter{0};

}  // namespace

std::string CurrentDirectory() {
  char buf[4096];
  return getcwd(buf, sizeof buf) != nullptr ? buf : "";
}

namespace {

// The profile of an isolated start: the one the NCP_ extension named, else $NCP_PROFILE (for
// programs that cannot change their code), else "default".
std::string ProfileFor(const ChildRequest& request) {
  if (!request.profile.empty()) return request.profile;
  const char* from_environment = getenv("NCP_PROFILE");
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  return "default";
}

}  // namespace

base::StatusOr<std::vector<std::string>> LauncherCommandPrefix(const ChildRequest& request,
                                                               const std::string& first_option) {
  auto launcher = LauncherPath();
  if (!launcher.ok()) return launcher.status();
  // "--profile=NAME" in one word: a name that starts with '-' stays a (missing) profile and
  // can never be read as another option, such as --no-seccomp.
  std::vector<std::string> argv{*launcher};
  if (!first_option.empty()) argv.push_back(first_option);
  argv.push_back("--profile=" + ProfileFor(request));
  if (request.isolation_uid) {
    if (base::Status available = base::IsolationUidAvailable(); !available.ok()) {
      const std::string why =
          "isolationUid: no distinct host uid without setuid: " + std::string(available.message());
      base::LogLine("%s", why.c_str());
      return base::Error(base::Code::kUnavailable, why);
    }
    argv.push_back("--isolation-uid");
  }
  return argv;
}

namespace {

// ncp-launch in request mode: it reads the same request from fd 3 and finds the named fds at
// 4.., builds the sandbox the profile describes and runs the child runtime inside it.
base::StatusOr<std::vector<std::string>> LauncherCommand(const ChildRequest& request) {
  return LauncherCommandPrefix(request, "--request-fd=" + std::to_string(kRequestFd));
}

}  // namespace

// The start's sandbox shape for the warm pool, but for the caller's credentials (the client
// adds them); 0 when a warm sandbox may not serve it.
uint64_t IsolatedShape(const WireRequest& wire, const StartOptions& options,
                       const std::vector<int>& passed_fds) {
  if (!WarmSandboxCanTake(passed_fds)) return 0;
  return SandboxShapeKey({&options.launcher_argv, &wire.environment, &wire.working_directory,
                          wire.umask, &wire.library, static_cast<uint8_t>(wire.kind),
                          (options.flags & kStartWaitForEntry) != 0});
}

std::string ChildProcessName(const std::string& custom, const std::string& library) {
  const unsigned n = g_request_counter.fetch_add(1);
  const std::string parent = program_invocation_short_name;
  if (!custom.empty()) return parent + ":" + custom;
  return parent + ":Native_" + LibraryStem(library) + std::to_string(n);
}

namespace {

// The umask a request sent to a warm child carries: kGo brings the caller's (warm_children.h).
// Nothing runs under it; were it ever taken, it would give files no permissions at all.
constexpr uint32_t kUmaskThatFollows = 0777;

// The named fds (and an IPC socket) of a start: `fds` without its first, the request's place.
std::vector<int> FdsAfterRequest(const std::vector<int>& fds) {
  return std::vector<int>(fds.begin() + 1, fds.end());
}

// A normal start a warm child may serve (ChildRegistry::StartWarm). nullopt when it goes the
// fork server's way, with `caller` read or not (`caller_read`); `wire`'s umask is then the
// placeholder, for the caller to replace.
std::optional<base::StatusOr<pid_t>> StartWarmChild(const ChildRequest& request, WireRequest& wire,
                                                    std::vector<int> fds,
                                                    std::function<void(const ExitRecord&)>* on_exit,
                                                    CallerSnapshot* caller, bool* caller_read) {
  if (!ChildRegistry::Instance().HoldsWarmChildren()) return std::nullopt;  // skip the encoding
  wire.umask = kUmaskThatFollows;
  const std::string encoded = EncodeRequest(wire);
  if (encoded.size() > kMaxRequestBytes) return std::nullopt;  // the server's way says so
  ChildRegistry::WarmStart warm;
  if (encoded.size() <= kMaxInlineRequestBytes) {
    warm = ChildRegistry::Instance().StartWarm(request.kind, FdsAfterRequest(fds), &encoded,
                                               on_exit, caller);
  } else {
    auto memfd = base::MemfdWithContents("ncp-request", encoded, base::MemfdSeal::kNone);
    if (!memfd.ok()) return std::nullopt;
    fds[0] = memfd->get();
    warm = ChildRegistry::Instance().StartWarm(request.kind, fds, nullptr, on_exit, caller);
  }
  *caller_read = warm.caller_read;
  if (!warm.error.ok()) return base::StatusOr<pid_t>(warm.error);
  if (warm.pid) return base::StatusOr<pid_t>(*warm.pid);
  return std::nullopt;
}

}  // namespace

base::StatusOr<pid_t> StartChild(const ChildRequest& request,
                                 std::function<void(const ExitRecord&)> on_exit) {
  if (InChildProcess()) {
    return base::Error(base::Code::kFailedPrecondition, "a child process cannot start children");
  }
  WireRequest wire{request.kind,
                   request.library,
                   request.symbol,
                   request.params,
                   request.process_name,
                   {},
                   -1,
                   {},
                   {},
                   022};
  StartOptions options;
  if (request.wait_for_entry) options.flags |= kStartWaitForEntry;
  std::vector<int> fds{-1};  // the request memfd, filled in below
  for (const NamedFd& fd : request.fds) {
    wire.fd_names.push_back(fd.name);
    fds.push_back(fd.fd.get());
  }
  if (request.kind == ChildKind::kIpc) {
    // The socket follows the named fds (none for Create*), at the number it will have there.
    if (request.ipc_socket < 0) {
      return base::Error(base::Code::kInternal, "an IPC-type start without its socket");
    }
    wire.ipc_fd = kRequestFd + static_cast<int32_t>(fds.size());
    fds.push_back(request.ipc_socket);
  }
  wire.environment = EnvironmentBlock::Of(environ);
  wire.working_directory = CurrentDirectory();
  CallerSnapshot caller;
  bool caller_read = false;
  // A start answered as soon as the child exists: a warm child may serve it.
  if (!request.isolated && !request.wait_for_entry) {
    if (auto started = StartWarmChild(request, wire, fds, &on_exit, &caller, &caller_read)) {
      return *started;
    }
  }
  if (!caller_read) NCP_RETURN_IF_ERROR(CaptureCaller(&caller));
  wire.umask = caller.umask;
  options.credentials = &caller.credentials;
  if (request.isolated) {
    auto argv = LauncherCommand(request);
    if (!argv.ok()) return argv.status();
    options.launcher_argv = std::move(*argv);
    options.flags |= kStartExecLauncher;
    options.shape = IsolatedShape(wire, options, FdsAfterRequest(fds));
  }
  const std::string encoded = EncodeRequest(wire);
  if (encoded.size() > kMaxRequestBytes) {
    return base::Error(base::Code::kInvalidArgument,
                       "the launch request (params and environment) is larger than 64 MiB");
  }
  // A normal start's request rides in the start message when it fits; ncp-launch reads an
  // isolated one from its fd 3, inside the sandbox.
  if (!request.isolated && encoded.size() <= kMaxInlineRequestBytes) {
    options.flags |= kStartInlineRequest;
    options.inline_request = &encoded;
    fds.erase(fds.begin());
    return ChildRegistry::Instance().Start(request.kind, fds, std::move(on_exit), options);
  }
  auto memfd = base::MemfdWithContents("ncp-request", encoded, base::MemfdSeal::kNone);
  if (!memfd.ok()) return memfd.status();
  fds[0] = memfd->get();
  return ChildRegistry::Instance().Start(request.kind, fds, std::move(on_exit), options);
}

}  // namespace ncp::core
