#include "launcher/userns.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "base/unique_fd.h"

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::Status;

// `process` is a pid or "self".
Status WriteProcFile(const std::string& process, const char* name, const std::string& text) {
  const std::string path = "/proc/" + process + "/" + name;
  base::UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("open " + path);
  // The kernel takes a map in one write or not at all.
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return ErrnoError("write " + path + " '" + text.substr(0, text.size() - 1) + "'");
  }
  return Status::Ok();
}

// -1 when the sysctl does not exist on this kernel.
long ReadSysctl(const char* path) {
  std::ifstream in(path);
  long value = -1;
  if (!(in >> value)) return -1;
  return value;
}

// Runs newuidmap or newgidmap: HELPER PID INSIDE OUTSIDE 1.
Status RunMapHelper(const std::string& helper, pid_t child, uint32_t inside, uint32_t outside) {
  const std::string args[] = {helper, std::to_string(child), std::to_string(inside),
                              std::to_string(outside), "1"};
  char* argv[] = {const_cast<char*>(args[0].c_str()), const_cast<char*>(args[1].c_str()),
                  const_cast<char*>(args[2].c_str()), const_cast<char*>(args[3].c_str()),
                  const_cast<char*>(args[4].c_str()), nullptr};
  char* envp[] = {nullptr};
  pid_t pid = -1;
  if (const int err = posix_spawn(&pid, helper.c_str(), nullptr, nullptr, argv, envp); err != 0) {
    return ErrnoError("run " + helper, err);
  }
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return ErrnoError("wait for " + helper);
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return base::Error(base::Code::kUnavailable,
                       helper + " " + args[1] + " " + args[2] + " " + args[3] + " 1 failed");
  }
  return Status::Ok();
}

std::string OneIdMap(uint32_t inside, uint32_t outside) {
  return std::to_string(inside) + " " + std::to_string(outside) + " 1\n";
}

// Whether this process already runs under a seccomp filter ("Seccomp: 2"): then the refusal
// most likely comes from that filter (a container's), not from a sysctl.
bool UnderSeccompFilter() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Seccomp:", 0) == 0) return line.find('2') != std::string::npos;
  }
  return false;
}

}  // namespace

Status WriteIdMaps(pid_t child, uint32_t inside_uid, uint32_t inside_gid,
                   const std::optional<base::IsolationIds>& isolation) {
  if (isolation && isolation->via_helpers) {
    NCP_RETURN_IF_ERROR(RunMapHelper(isolation->newuidmap, child, inside_uid, isolation->host_uid));
    return RunMapHelper(isolation->newgidmap, child, inside_gid, isolation->host_gid);
  }
  if (isolation) {
    NCP_RETURN_IF_ERROR(WriteProcFile(std::to_string(child), "uid_map", OneIdMap(inside_uid, isolation->host_uid)));
    return WriteProcFile(std::to_string(child), "gid_map", OneIdMap(inside_gid, isolation->host_gid));
  }
  Status s = WriteProcFile(std::to_string(child), "setgroups", "deny\n");
  if (!s.ok() && s.err() != ENOENT) return s;  // ENOENT: kernels before 3.19 have no file
  NCP_RETURN_IF_ERROR(WriteProcFile(std::to_string(child), "uid_map", OneIdMap(inside_uid, geteuid())));
  return WriteProcFile(std::to_string(child), "gid_map", OneIdMap(inside_gid, getegid()));
}

Status WriteOwnIdMaps(uint32_t inside_uid, uint32_t inside_gid, uint32_t outside_uid,
                      uint32_t outside_gid) {
  // "self", not getpid(): in a new pid namespace getpid() is 1, but /proc is still the host's.
  const std::string self = "self";
  Status s = WriteProcFile(self, "setgroups", "deny\n");
  if (!s.ok() && s.err() != ENOENT) return s;
  NCP_RETURN_IF_ERROR(WriteProcFile(self, "uid_map", OneIdMap(inside_uid, outside_uid)));
  return WriteProcFile(self, "gid_map", OneIdMap(inside_gid, outside_gid));
}

std::string UserNamespaceRefusedReason(int err) {
  const std::string prefix =
      std::string("cannot create a user namespace (") + strerror(err) + "): ";
  if (err == ENOSPC || ReadSysctl("/proc/sys/user/max_user_namespaces") == 0) {
    return prefix + "user.max_user_namespaces is 0 or exhausted";
  }
  if (ReadSysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0) {
    return prefix + "kernel.unprivileged_userns_clone=0 (set it to 1)";
  }
  if (ReadSysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1) {
    return prefix +
           "kernel.apparmor_restrict_unprivileged_userns=1 (an AppArmor profile must allow it)";
  }
  if (UnderSeccompFilter()) {
    return prefix +
           "a seccomp filter on ncp-launch refuses it, as Docker's default profile does; run "
           "the container with --security-opt seccomp=<a profile that also allows clone, "
           "unshare, mount, umount2, pivot_root, mount_setattr, open_tree, move_mount, fsopen, "
           "fsconfig, fsmount, sethostname> (ncp ships scripts/docker-seccomp.json) and "
           "--security-opt systempaths=unconfined";
  }
  return prefix + "probably nested user namespaces beyond the kernel's limit (32 levels)";
}

}  // namespace ncp::launcher
