#include "core/app/program_starter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/memfd.h"
#include "base/unique_fd.h"
#include "core/app/caller_snapshot.h"
#include "core/app/child_registry.h"
#include "core/app/child_request.h"
#include "core/app/child_starter.h"
#include "core/child/child_state.h"
#include "core/protocol/fork_server_protocol.h"
#include "core/protocol/program_request.h"
#include "core/protocol/wire.h"

namespace ncp::core {
namespace {

// An isolated program runs inside the sandbox, where the fork server's child cannot see
// whether its exec works: the host path is checked here so a typo fails the call itself.
base::Status CheckHostExecutable(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    const int err = errno;  // before the message is built
    return base::Status(base::Code::kInvalidArgument, "the program cannot be executed", err);
  }
  if (!S_ISREG(st.st_mode) || access(path.c_str(), X_OK) != 0) {
    return base::Status(base::Code::kInvalidArgument, "the program cannot be executed", EACCES);
  }
  return base::Status::Ok();
}

// ncp-launch's program form: options, each passed fd under a name that says its number (the
// launcher keeps --fd fds at their own numbers; 0-2 pass without one), then the program.
base::StatusOr<std::vector<std::string>> IsolatedCommand(const ProgramStart& start) {
  ChildRequest request;  // only the fields the launcher's options come from
  request.isolated = true;
  request.isolation_uid = start.isolation_uid;
  request.profile = start.profile;
  auto argv = LauncherCommandPrefix(request, "");
  if (!argv.ok()) return argv.status();
  for (const auto& [fd, child_fd] : start.fds) {
    if (child_fd > 2)
      argv->push_back("--fd=fd" + std::to_string(child_fd) + "=" + std::to_string(child_fd));
  }
  // In the sandbox's view: the path is one inside it (ncp-launch --chdir; its "=" form keeps a
  // value that begins with '-' a value).
  if (!start.working_directory.empty()) argv->push_back("--chdir=" + start.working_directory);
  // The program's own environment, as options of the sandbox: ncp-launch itself runs on the
  // host with the caller's, so nothing in envp (LD_PRELOAD, NCP_HOST_ID_RANGE, XDG_* folders)
  // can change the launcher or how it builds the sandbox. Options typed after the profile win.
  if (start.environment) {
    argv->push_back("--clearenv");
    for (const std::string& entry : *start.environment) {
      if (entry.find('=') == std::string::npos) {
        return base::Status(base::Code::kInvalidArgument,
                            "envp entry '" + entry + "' is not NAME=VALUE", EINVAL);
      }
      argv->push_back("--env=" + entry);
    }
  }
  argv->push_back("--");
  argv->push_back(start.path);
  for (size_t i = 1; i < start.argv.size(); ++i) argv->push_back(start.argv[i]);
  return argv;
}

std::vector<std::string> CallerEnvironment() {
  std::vector<std::string> out;
  for (char** env = environ; *env != nullptr; ++env) out.emplace_back(*env);
  return out;
}

}  // namespace

base::StatusOr<pid_t> StartProgram(const ProgramStart& start) {
  if (InChildProcess()) {
    return base::Error(base::Code::kFailedPrecondition, "a child process cannot start children");
  }
  ProgramRequest request;
  // Copies the fork server receives; the caller may close its own as soon as we return. Taken
  // first, before the library opens anything (the umask's status file on a first start), so
  // that a number the caller passes closed is refused, never one of the library's own.
  std::vector<base::UniqueFd> copies;
  std::vector<int> fds{-1};  // the request memfd, filled in below
  for (const auto& [fd, child_fd] : start.fds) {
    base::UniqueFd copy(fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3));
    if (!copy.valid()) {
      return base::Status(base::Code::kInvalidArgument,
                          "fd " + std::to_string(fd) + " (for the program's fd " +
                              std::to_string(child_fd) + ") is not open",
                          fd < 0 ? EBADF : errno);
    }
    fds.push_back(copy.get());
    copies.push_back(std::move(copy));
    request.child_fds.push_back(child_fd);
  }
  // Isolated: the environment of ncp-launch on the host, never envp (IsolatedCommand).
  request.environment =
      start.environment && !start.isolated ? *start.environment : CallerEnvironment();
  CallerSnapshot caller;
  NCP_RETURN_IF_ERROR(CaptureCaller(&caller));
  request.umask = caller.umask;
  request.working_directory = CurrentDirectory();
  if (request.working_directory.empty()) request.working_directory = "/";
  if (start.isolated) {
    NCP_RETURN_IF_ERROR(CheckHostExecutable(start.path));
    auto argv = IsolatedCommand(start);
    if (!argv.ok()) return argv.status();
    request.exec_path = (*argv)[0];
    request.argv = std::move(*argv);
  } else {
    request.exec_path = start.path;
    request.argv = start.argv;
    if (!start.working_directory.empty()) request.working_directory = start.working_directory;
  }
  const std::string encoded = EncodeProgramRequest(request);
  if (encoded.size() > kMaxRequestBytes) {
    return base::Error(base::Code::kInvalidArgument,
                       "the program's arguments and environment are larger than 64 MiB");
  }
  auto memfd = base::MemfdWithContents("ncp-request", encoded, base::MemfdSeal::kNone);
  if (!memfd.ok()) return memfd.status();
  fds[0] = memfd->get();
  // An args-type child as far as the registry is concerned: the same limit, the same exit
  // callbacks (OpenHarmony's and the NCP_ ones), kill and wait.
  StartOptions options;
  options.flags = kStartExecProgram;
  options.credentials = &caller.credentials;
  return ChildRegistry::Instance().Start(ChildKind::kArgs, fds, {}, options);
}

}  // namespace ncp::core
