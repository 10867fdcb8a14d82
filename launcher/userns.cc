#include "launcher/userns.h"

#include <fcntl.h>
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

Status WriteProcFile(pid_t pid, const char* name, const std::string& text) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
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

}  // namespace

Status WriteIdMaps(pid_t child, const policy::Plan& plan) {
  const uid_t outside_uid = geteuid();
  const gid_t outside_gid = getegid();
  const uint32_t inside_uid = plan.uid.value_or(outside_uid);
  const uint32_t inside_gid = plan.gid.value_or(outside_gid);
  Status s = WriteProcFile(child, "setgroups", "deny\n");
  if (!s.ok() && s.err() != ENOENT) return s;  // ENOENT: kernels before 3.19 have no file
  NCP_RETURN_IF_ERROR(WriteProcFile(
      child, "uid_map", std::to_string(inside_uid) + " " + std::to_string(outside_uid) + " 1\n"));
  return WriteProcFile(child, "gid_map",
                       std::to_string(inside_gid) + " " + std::to_string(outside_gid) + " 1\n");
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
  return prefix +
         "probably a container's seccomp profile (Docker's default refuses it), or nested "
         "namespaces beyond the limit";
}

}  // namespace ncp::launcher
