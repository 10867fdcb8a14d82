#include "launcher/landlock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "base/unique_fd.h"
#include "launcher/landlock_abi.h"

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::Status;
using base::UniqueFd;
namespace abi = landlock_abi;

constexpr uint64_t kRead = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
constexpr uint64_t kReadExecute = kRead | LANDLOCK_ACCESS_FS_EXECUTE;
// /proc as mounted (read-write, noexec): writing /proc/self/comm or /proc/self/attr, with
// O_TRUNC as a shell's `>` does; what may not be written there is up to the mounts over it.
constexpr uint64_t kProc = kRead | LANDLOCK_ACCESS_FS_WRITE_FILE | abi::kAccessFsTruncate;
// The minimal /dev holds only null, zero, full, random and urandom: read, write and their
// ioctls, but nothing new (O_TRUNC on a device is no truncation, so no truncate right).
constexpr uint64_t kDev = kRead | LANDLOCK_ACCESS_FS_WRITE_FILE | abi::kAccessFsIoctlDev;
constexpr uint64_t kEverything = ~uint64_t{0};  // writable binds and tmpfs; masked by the ABI

// Raw, as are landlock_add_rule and landlock_restrict_self below: glibc wraps no landlock call.
long CreateRuleset(const abi::RulesetAttr* attr, size_t size, uint32_t flags) {
  return syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

// The errnos with which a kernel, or a filter in front of it, says "no Landlock here".
bool MeansUnavailable(int err) { return err == ENOSYS || err == EOPNOTSUPP || err == EPERM; }

class RulesetBuilder {
 public:
  RulesetBuilder(int ruleset, uint64_t handled) : ruleset_(ruleset), handled_(handled) {}

  // `access` beneath `path`; only the file rights when `path` is not a directory.
  Status AddPath(const std::string& path, uint64_t access, bool may_be_missing) {
    UniqueFd fd(open(path.c_str(), O_PATH | O_CLOEXEC));
    if (!fd) {
      if (may_be_missing && errno == ENOENT) return Status::Ok();
      return ErrnoError("open " + path + " for a Landlock rule");
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return ErrnoError("fstat " + path);
    if (Status s = AddFd(fd.get(), st, access); !s.ok()) {
      return ErrnoError(path + ": " + s.message(), s.err());
    }
    return Status::Ok();
  }

  // A passed fd keeps, for a reopen through /proc/self/fd, the access it was opened with.
  // Anonymous pipes, sockets and memfds are not paths: Landlock never stops reopening them.
  Status AddPassedFd(int fd) {
    const int flags = fcntl(fd, F_GETFL);
    struct stat st {};
    if (flags < 0 || fstat(fd, &st) != 0) return Status::Ok();  // not open in this sandbox
    if ((flags & O_PATH) != 0 || S_ISSOCK(st.st_mode)) return Status::Ok();
    // Refused before the start (passed_fds.h): a rule for one would grant everything beneath.
    if (S_ISDIR(st.st_mode)) {
      return base::Error(base::Code::kInvalidArgument,
                         "passed fd " + std::to_string(fd) + " is a directory");
    }
    const int mode = flags & O_ACCMODE;
    const bool readable = mode == O_RDONLY || mode == O_RDWR;
    const bool writable = mode == O_WRONLY || mode == O_RDWR;
    uint64_t access = 0;
    if (readable) access |= LANDLOCK_ACCESS_FS_READ_FILE;
    // Truncating too: ftruncate on the fd itself already can (so `echo x > /dev/stderr` into
    // a log file keeps working).
    if (writable) access |= LANDLOCK_ACCESS_FS_WRITE_FILE | abi::kAccessFsTruncate;
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) access |= abi::kAccessFsIoctlDev;
    Status s = AddFd(fd, st, access);
    if (!s.ok() && s.err() == EBADFD) return Status::Ok();  // pipefs, sockfs, a memfd: no path
    if (!s.ok()) return ErrnoError("passed fd " + std::to_string(fd) + ": " + s.message(), s.err());
    return Status::Ok();
  }

 private:
  Status AddFd(int fd, const struct stat& st, uint64_t access) {
    if (!S_ISDIR(st.st_mode)) access &= abi::kAccessFsOnFiles;
    access &= handled_;
    if (access == 0) return Status::Ok();
    landlock_path_beneath_attr rule{};
    rule.allowed_access = access;
    rule.parent_fd = fd;
    if (syscall(SYS_landlock_add_rule, ruleset_, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) {
      return ErrnoError("landlock_add_rule");
    }
    return Status::Ok();
  }

  const int ruleset_;
  const uint64_t handled_;
};

// Whether a later mount hides `destination` (at it or above it). Its path then leads into the
// later mount, and a rule with the hidden mount's rights would land on the wrong files (a
// covered writable bind would make part of a read-only one writable for paths from outside).
// The minimal /tmp, /proc and /dev come after every plan mount (mounts.cc).
bool IsCovered(const std::string& destination, std::span<const policy::Mount> later,
               bool default_tmp) {
  auto covers = [&](std::string_view top) {
    return destination == top ||
           (destination.starts_with(top) && (top == "/" || destination[top.size()] == '/'));
  };
  if (covers("/proc") || covers("/dev") || (default_tmp && covers("/tmp"))) return true;
  return std::any_of(later.begin(), later.end(),
                     [&](const policy::Mount& m) { return covers(m.destination); });
}

// After the pivot the mounts are at their destinations: the rules follow the plan's mounts
// (later ones may cover earlier ones; a rule's rights reach into every mount beneath it, and a
// read-only mount refuses writes whatever Landlock allows).
Status AddMountRules(const policy::Plan& plan, RulesetBuilder& rules) {
  // The new root is a read-only tmpfs of mount points: listing and reading it is harmless.
  NCP_RETURN_IF_ERROR(rules.AddPath("/", kRead, false));
  const bool default_tmp =
      std::none_of(plan.mounts.begin(), plan.mounts.end(),
                   [](const policy::Mount& m) { return m.destination == "/tmp"; });
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const policy::Mount& m = plan.mounts[i];
    if (IsCovered(m.destination, std::span(plan.mounts).subspan(i + 1), default_tmp)) continue;
    const uint64_t access = m.kind == policy::MountKind::kReadOnlyBind ? kReadExecute : kEverything;
    NCP_RETURN_IF_ERROR(rules.AddPath(m.destination, access, m.optional));
  }
  if (default_tmp) NCP_RETURN_IF_ERROR(rules.AddPath("/tmp", kEverything, false));
  NCP_RETURN_IF_ERROR(rules.AddPath("/proc", kProc, false));
  return rules.AddPath("/dev", kDev, false);
}

std::string AbiText(int version) {
  std::string text = "ABI " + std::to_string(version) + ": file rules";
  if (version >= 2) text += ", refer";
  if (version >= 3) text += ", truncate";
  if (version >= 5) text += ", device ioctls";
  if (version >= 6) text += ", signal and abstract-socket scoping";
  return text;
}

}  // namespace

LandlockSupport ProbeLandlock() {
  const long version = CreateRuleset(nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (version < 0) return {0, errno};
  if (version == 0) return {0, EOPNOTSUPP};
  return {static_cast<int>(version), 0};
}

Status ApplyLandlock(const policy::Plan& plan, std::span<const int> passed_fds, bool verbose) {
  const policy::LandlockPlan& wanted = plan.landlock;
  const bool required = wanted.mode == policy::LandlockMode::kRequired;
  if (wanted.mode == policy::LandlockMode::kOff || !plan.namespaces.mount) return Status::Ok();
  const LandlockSupport support = ProbeLandlock();
  auto unavailable = [&](const char* call, int err) -> Status {
    if (required) {
      return ErrnoError(
          std::string("landlock=required, but the kernel offers no Landlock (") + call + ")", err);
    }
    if (verbose) {
      base::LogLine("child  landlock: none, the kernel refuses %s: %s", call, std::strerror(err));
    }
    return Status::Ok();
  };
  if (support.abi < 1) return unavailable("landlock_create_ruleset", support.err);
  if (required && static_cast<uint32_t>(support.abi) < wanted.min_abi) {
    return base::Error(base::Code::kUnavailable,
                       "landlock=required:" + std::to_string(wanted.min_abi) +
                           ", but the kernel has only Landlock ABI " + std::to_string(support.abi));
  }
  // A newer kernel's rights are unknown to us, so they stay unhandled (allowed).
  const int version = std::min(support.abi, static_cast<int>(policy::kHighestKnownLandlockAbi));
  abi::RulesetAttr attr;
  attr.handled_access_fs = abi::HandledAccessFs(version);
  attr.scoped = abi::Scopes(version);
  UniqueFd ruleset(static_cast<int>(CreateRuleset(&attr, sizeof(attr), 0)));
  if (!ruleset) {
    const int err = errno;
    if (MeansUnavailable(err)) return unavailable("landlock_create_ruleset", err);
    return ErrnoError("landlock_create_ruleset", err);
  }
  RulesetBuilder rules(ruleset.get(), attr.handled_access_fs);
  NCP_RETURN_IF_ERROR(AddMountRules(plan, rules));
  for (const int fd : {0, 1, 2}) NCP_RETURN_IF_ERROR(rules.AddPassedFd(fd));
  for (const int fd : passed_fds) NCP_RETURN_IF_ERROR(rules.AddPassedFd(fd));
  if (syscall(SYS_landlock_restrict_self, ruleset.get(), 0U) != 0) {
    const int err = errno;
    if (MeansUnavailable(err)) return unavailable("landlock_restrict_self", err);
    return ErrnoError("landlock_restrict_self", err);
  }
  if (verbose) base::LogLine("child  landlock: %s", AbiText(version).c_str());
  return Status::Ok();
}

std::string DescribeLandlockSupport(const policy::Plan& plan) {
  const LandlockSupport support = ProbeLandlock();
  std::string kernel = support.abi >= 1 ? AbiText(support.abi)
                                        : std::string("none (") + std::strerror(support.err) + ")";
  std::string out = "landlock on this kernel: " + kernel;
  const policy::LandlockPlan& wanted = plan.landlock;
  if (wanted.mode == policy::LandlockMode::kRequired &&
      static_cast<uint32_t>(support.abi) < wanted.min_abi) {
    out += "; landlock=required would stop a start here";
  }
  return out + "\n";
}

}  // namespace ncp::launcher
