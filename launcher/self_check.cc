#include "launcher/self_check.h"

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

namespace ncp::launcher {

using base::Code;
using base::Error;
using base::Status;

Status RefuseIfPrivilegedBinary() {
  struct stat st {};
  if (stat("/proc/self/exe", &st) != 0) return base::ErrnoError("stat /proc/self/exe");
  if ((st.st_mode & (S_ISUID | S_ISGID)) != 0) {
    return Error(
        Code::kFailedPrecondition,
        "ncp-launch must not be installed setuid or setgid; remove the bit (chmod u-s,g-s)");
  }
  if (getxattr("/proc/self/exe", "security.capability", nullptr, 0) >= 0) {
    return Error(Code::kFailedPrecondition,
                 "ncp-launch must not carry file capabilities; remove them (setcap -r)");
  }
  if (getuid() != geteuid() || getgid() != getegid()) {
    return Error(Code::kFailedPrecondition, "ncp-launch refuses to run with real != effective ids");
  }
  return Status::Ok();
}

}  // namespace ncp::launcher
