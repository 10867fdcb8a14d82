// Privilege steps. libcap-ng drops the bounding set as well as the effective, permitted and
// inheritable sets, so a root uid inside the user namespace regains nothing on exec.
#include <cap-ng.h>
#include <sys/prctl.h>

#include "launcher/steps.h"

namespace ncp::launcher {

using base::ErrnoError;
using base::Status;

Status SetNoNewPrivs() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return ErrnoError("PR_SET_NO_NEW_PRIVS");
  return Status::Ok();
}

Status DropCapabilities() {
  capng_clear(CAPNG_SELECT_ALL);
  // Returns -1..-n for which part failed; errno is set by the underlying prctl/capset.
  const int rc = capng_apply(CAPNG_SELECT_ALL);
  if (rc != 0) return ErrnoError("capng_apply (rc " + std::to_string(rc) + ")");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    return ErrnoError("clear ambient capabilities");
  }
  return Status::Ok();
}

}  // namespace ncp::launcher
