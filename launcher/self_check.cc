#include "launcher/self_check.h"

#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

namespace ncp::launcher {

using base::Code;
using base::Error;
using base::Status;

Status RefuseIfPrivilegedBinary() {
  // The kernel's own word that this exec gained privilege (setuid, setgid, file capabilities);
  // it needs no /proc, which a sandbox running the internal entry mode may lack.
  if (getauxval(AT_SECURE) != 0) {
    return Error(Code::kFailedPrecondition,
                 "ncp-launch must not run setuid, setgid or with file capabilities");
  }
  if (getuid() != geteuid() || getgid() != getegid()) {
    return Error(Code::kFailedPrecondition, "ncp-launch refuses to run with real != effective ids");
  }
  // The bits themselves, which AT_SECURE does not show when the owner (root) runs the file.
  struct stat st {};
  if (stat("/proc/self/exe", &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return Status::Ok();  // no /proc: AT_SECURE above is the whole check
    return base::ErrnoError("stat /proc/self/exe", err);
  }
  if ((st.st_mode & (S_ISUID | S_ISGID)) != 0) {
    return Error(
        Code::kFailedPrecondition,
        "ncp-launch must not be installed setuid or setgid; remove the bit (chmod u-s,g-s)");
  }
  if (getxattr("/proc/self/exe", "security.capability", nullptr, 0) >= 0) {
    return Error(Code::kFailedPrecondition,
                 "ncp-launch must not carry file capabilities; remove them (setcap -r)");
  }
  return Status::Ok();
}

}  // namespace ncp::launcher
