#include "core/protocol/credentials.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace ncp::core {
namespace {

// The highest capability this kernel knows (PR_CAPBSET_READ fails past it); asked once.
int LastCap() {
  static const int last = [] {
    int cap = 0;
    while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) ++cap;
    return cap;
  }();
  return last;
}

bool CapGet(Credentials* c) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};  // pid 0: this thread
  __user_cap_data_struct data[2] = {};
  // Raw: glibc declares no capget/capset (libcap does), and libcap is not linked here.
  if (syscall(SYS_capget, &header, data) != 0) return false;
  auto join = [](uint32_t low, uint32_t high) { return (uint64_t{high} << 32) | low; };
  c->cap_effective = join(data[0].effective, data[1].effective);
  c->cap_permitted = join(data[0].permitted, data[1].permitted);
  c->cap_inheritable = join(data[0].inheritable, data[1].inheritable);
  return true;
}

bool CapSet(const Credentials& c) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0].effective = static_cast<uint32_t>(c.cap_effective);
  data[1].effective = static_cast<uint32_t>(c.cap_effective >> 32);
  data[0].permitted = static_cast<uint32_t>(c.cap_permitted);
  data[1].permitted = static_cast<uint32_t>(c.cap_permitted >> 32);
  data[0].inheritable = static_cast<uint32_t>(c.cap_inheritable);
  data[1].inheritable = static_cast<uint32_t>(c.cap_inheritable >> 32);
  return syscall(SYS_capset, &header, data) == 0;  // raw: as capget above
}

bool Has(uint64_t set, int cap) { return ((set >> cap) & 1) != 0; }

// Everything but the restrictions a process can only add to (no_new_privs, seccomp): after an
// adoption those may be stricter than the caller's, never looser.
bool SameGrants(const Credentials& a, const Credentials& b) {
  return std::equal(a.uid, a.uid + 4, b.uid) && std::equal(a.gid, a.gid + 4, b.gid) &&
         a.cap_effective == b.cap_effective && a.cap_permitted == b.cap_permitted &&
         a.cap_inheritable == b.cap_inheritable && a.cap_bounding == b.cap_bounding &&
         a.cap_ambient == b.cap_ambient && a.securebits == b.securebits &&
         a.group_count == b.group_count && std::equal(a.groups, a.groups + a.group_count, b.groups);
}

}  // namespace

bool CaptureThreadCredentials(Credentials* out) {
  Credentials& c = *out;
  // All per-thread: the raw syscalls read the calling thread's credentials, not the process's.
  uid_t r, e, s;
  gid_t gr, ge, gs;
  if (getresuid(&r, &e, &s) != 0 || getresgid(&gr, &ge, &gs) != 0) return false;
  c.uid[0] = r, c.uid[1] = e, c.uid[2] = s;
  c.gid[0] = gr, c.gid[1] = ge, c.gid[2] = gs;
  // setfs[ug]id with an invalid id changes nothing and returns the current one.
  c.uid[3] = static_cast<uint32_t>(setfsuid(static_cast<uid_t>(-1)));
  c.gid[3] = static_cast<uint32_t>(setfsgid(static_cast<gid_t>(-1)));
  gid_t list[kMaxCallerGroups];
  const int n = getgroups(static_cast<int>(kMaxCallerGroups), list);
  if (n < 0) {
    if (errno == EINVAL) errno = E2BIG;  // more groups than the list holds
    return false;
  }
  c.group_count = static_cast<uint32_t>(n);
  std::fill(c.groups, c.groups + kMaxCallerGroups, 0);
  std::copy(list, list + n, c.groups);
  if (!CapGet(&c)) return false;
  // One prctl per capability (no syscall reads a whole set): the bulk of the cost of a
  // capture. Ambient capabilities are always within permitted and inheritable, so they are
  // asked for only when that intersection is not empty (inheritable is usually empty).
  c.cap_bounding = 0;
  c.cap_ambient = 0;
  const uint64_t may_be_ambient = c.cap_permitted & c.cap_inheritable;
  for (int cap = 0; cap <= LastCap(); ++cap) {
    const int bounded = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (bounded < 0) return false;
    if (bounded == 1) c.cap_bounding |= uint64_t{1} << cap;
    // EINVAL before Linux 4.3 (no ambient set): none.
    if (Has(may_be_ambient, cap) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) {
      c.cap_ambient |= uint64_t{1} << cap;
    }
  }
  const int securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  const int no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  const int seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
  if (securebits < 0 || no_new_privs < 0 || seccomp < 0) return false;
  c.securebits = static_cast<uint32_t>(securebits);
  c.no_new_privs = static_cast<uint32_t>(no_new_privs);
  c.seccomp_mode = static_cast<uint32_t>(seccomp);
  return true;
}

bool SameCredentials(const Credentials& a, const Credentials& b) {
  return SameGrants(a, b) && a.no_new_privs == b.no_new_privs && a.seccomp_mode == b.seccomp_mode;
}

int AdoptCredentials(const Credentials& want) {
  Credentials have;
  if (!CaptureThreadCredentials(&have)) return errno;
  // A caller's seccomp filter cannot be copied here; a child without it would hold more.
  if (want.seccomp_mode > have.seccomp_mode) return EPERM;
  // Cleared first: ambient capabilities must stay within permitted and inheritable, which change.
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  // While CAP_SETPCAP may still be ours: the bounding set and the securebits.
  for (int cap = 0; cap <= LastCap(); ++cap) {
    if (Has(have.cap_bounding, cap) && !Has(want.cap_bounding, cap) &&
        prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      return errno;
    }
  }
  // Permitted capabilities survive the uid change below (the exact sets are set after it).
  const bool keep_caps_locked =
      ((have.securebits | want.securebits) & SECBIT_KEEP_CAPS_LOCKED) != 0;
  if (want.securebits != have.securebits) {
    const uint32_t bits = keep_caps_locked ? want.securebits : want.securebits | SECBIT_KEEP_CAPS;
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return errno;
  } else if (!keep_caps_locked && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
    return errno;
  }
  const bool same_groups = want.group_count == have.group_count &&
                           std::equal(want.groups, want.groups + want.group_count, have.groups);
  if (!same_groups) {
    gid_t list[kMaxCallerGroups];
    std::copy(want.groups, want.groups + want.group_count, list);
    if (setgroups(want.group_count, list) != 0) return errno;
  }
  if (setresgid(want.gid[0], want.gid[1], want.gid[2]) != 0) return errno;
  if (want.gid[3] != want.gid[1]) setfsgid(want.gid[3]);
  if (setresuid(want.uid[0], want.uid[1], want.uid[2]) != 0) return errno;
  if (want.uid[3] != want.uid[1]) setfsuid(want.uid[3]);
  if (!CapSet(want)) return errno;
  for (int cap = 0; cap <= LastCap(); ++cap) {
    if (Has(want.cap_ambient, cap) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
      return errno;
    }
  }
  if (!keep_caps_locked && (want.securebits & SECBIT_KEEP_CAPS) == 0 &&
      prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) {
    return errno;
  }
  if (want.no_new_privs != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  // Whatever a step above could not do exactly (setfs*id, a locked securebit) shows here.
  Credentials now;
  if (!CaptureThreadCredentials(&now)) return errno;
  if (!SameGrants(now, want)) return EPERM;
  return 0;
}

}  // namespace ncp::core
