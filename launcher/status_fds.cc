#include "launcher/status_fds.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>

#include "launcher/passed_fds.h"
#include "launcher/sandbox_end.h"

namespace ncp::launcher {
namespace {

// Whole or as much as the reader takes: a status line is small, and a reader that went away
// must not stop the launcher (SIGPIPE is the caller's disposition; EPIPE is ignored).
void WriteLine(int fd, const nlohmann::json& object) {
  if (fd < 0) return;
  // Paths in messages need not be UTF-8: such bytes become U+FFFD instead of an exception.
  const std::string line =
      object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// The same file or pipe (not only the same number): what the sandbox writes to one would be
// read as the other.
bool SameFile(int a, int b) {
  struct stat sa {
  }, sb{};
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

base::Status CheckStatusFd(int fd, const char* option, const std::vector<int>& sandbox_fds) {
  const std::string name = std::string(option) + "=" + std::to_string(fd);
  if (!InheritedFds().IsOpen(fd) || fcntl(fd, F_GETFD) < 0) {
    return base::Error(base::Code::kInvalidArgument, name + ": not an open fd");
  }
  // The program's stdin, stdout and stderr, and every fd passed in, are the sandbox's: a status
  // written there could be forged by it.
  for (int given : sandbox_fds) {
    if (given == fd || (fcntl(given, F_GETFD) >= 0 && SameFile(given, fd))) {
      return base::Error(base::Code::kInvalidArgument,
                         name + ": the sandbox gets this file too (as fd " + std::to_string(given) +
                             "), so it could write the status itself");
    }
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return base::Status::Ok();
}

// The inode number of /proc/PID/ns/NAME, as bubblewrap reports them; 0 when unreadable.
uint64_t NamespaceId(pid_t pid, const char* name) {
  struct stat st {};
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

base::StatusOr<StatusFds> StatusFds::Take(std::optional<int> json_status, std::optional<int> info,
                                          const std::vector<int>& passed_fds) {
  std::vector<int> sandbox_fds = {0, 1, 2};
  sandbox_fds.insert(sandbox_fds.end(), passed_fds.begin(), passed_fds.end());
  StatusFds fds;
  if (json_status && info && (*json_status == *info || SameFile(*json_status, *info))) {
    return base::Error(base::Code::kInvalidArgument,
                       "--json-status-fd and --info-fd name the same file (the info fd is "
                       "closed after its one object)");
  }
  if (json_status) {
    NCP_RETURN_IF_ERROR(CheckStatusFd(*json_status, "--json-status-fd", sandbox_fds));
    fds.json_status_ = *json_status;
  }
  if (info) {
    NCP_RETURN_IF_ERROR(CheckStatusFd(*info, "--info-fd", sandbox_fds));
    fds.info_ = *info;
  }
  return fds;
}

void StatusFds::Cloned(pid_t child_pid, const policy::Namespaces& ns) {
  if (info_ < 0) return;
  const std::pair<bool, const char*> kinds[] = {
      {ns.cgroup, "cgroup"}, {ns.ipc, "ipc"},   {ns.mount, "mnt"}, {ns.net, "net"},
      {ns.pid, "pid"},       {ns.user, "user"}, {ns.uts, "uts"}};
  for (const auto& [unshared, name] : kinds) {
    if (!unshared) continue;
    if (const uint64_t id = NamespaceId(child_pid, name); id != 0) {
      namespace_ids_.emplace_back(std::string(name) + "-namespace", id);
    }
  }
}

void StatusFds::Started(pid_t child_pid) {
  WriteLine(json_status_, {{"child-pid", child_pid}});
  if (info_ < 0) return;
  nlohmann::json info = {{"child-pid", child_pid}};
  for (const auto& [key, id] : namespace_ids_) info[key] = id;
  WriteLine(info_, info);
  close(info_);
  info_ = -1;
}

void StatusFds::SetupFailed(const SetupError& error) {
  WriteLine(
      json_status_,
      {{"cause", "setup-failed"}, {"step", StepName(error.step)}, {"message", error.ToString()}});
}

void StatusFds::Ended(const ChildEnd& end, const policy::Plan& plan) {
  if (json_status_ < 0) return;
  nlohmann::json status = {{"exit-code", CommandExitCode(end)},
                           {"cause", core::ExitCauseName(CauseOf(end))},
                           {"signal", end.signaled ? end.value : 0},
                           {"setup-us", end.setup_us},
                           {"run-us", end.run_us}};
  if (plan.time_limit_ms) status["time-limit-ms"] = *plan.time_limit_ms;
  if (std::optional<RefusedCall> refused = RefusedCallOf(end, plan)) {
    status["syscall"] = refused->name;
    status["syscall-nr"] = refused->nr;
    status["profile-line"] = refused->profile_line;
  }
  WriteLine(json_status_, status);
}

}  // namespace ncp::launcher
