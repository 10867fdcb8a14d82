#include "policy/policy_state.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <optional>

#include "policy/owned_folder.h"
#include "policy/source_identity.h"

namespace ncp::policy {
namespace {

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (path.empty() || ::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// "" when `inner` is `outer`; the rest after "outer/" when inside it; nullopt otherwise.
std::optional<std::string> RelativeInside(const std::string& outer, const std::string& inner) {
  if (inner == outer) return std::string();
  if (outer == "/") return inner.substr(1);
  if (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
      inner[outer.size()] == '/') {
    return inner.substr(outer.size() + 1);
  }
  return std::nullopt;
}

// The folder on `inner`'s path (itself or an ancestor, real paths both) that is `outer`: found by
// path, or by identity when `outer` is the same folder reached another way (a bind mount of
// it elsewhere on the host). nullopt when `inner` does not lie in `outer`.
std::optional<std::string> ContainingFolder(const std::string& outer, const std::string& inner) {
  if (RelativeInside(outer, inner)) return outer;
  struct stat outer_st, st;
  if (::stat(outer.c_str(), &outer_st) != 0) return std::nullopt;
  for (std::string probe = inner;; probe.resize(probe.rfind('/') == 0 ? 1 : probe.rfind('/'))) {
    if (::stat(probe.c_str(), &st) == 0 && st.st_dev == outer_st.st_dev &&
        st.st_ino == outer_st.st_ino) {
      return probe;
    }
    if (probe == "/") return std::nullopt;
  }
}

std::string Join(const std::string& dir, const std::string& rest) {
  if (rest.empty()) return dir;
  return dir == "/" ? "/" + rest : dir + "/" + rest;
}

// A protected path as it lies on disk now: `existing` is the real path of its deepest part that
// exists (the whole path when it exists), `real` that plus the missing rest.
struct ProtectedPath {
  std::string real;
  std::string existing;
  bool exists = false;
};

std::optional<ProtectedPath> Locate(const std::string& path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  std::string probe = path;
  std::string missing;
  while (true) {
    if (auto real = RealPath(probe)) {
      ProtectedPath out;
      out.existing = *real;
      out.real = Join(*real, missing);
      out.exists = missing.empty();
      return out;
    }
    const size_t slash = probe.rfind('/');
    if (slash == std::string::npos || probe == "/") return std::nullopt;
    missing = missing.empty() ? probe.substr(slash + 1) : probe.substr(slash + 1) + "/" + missing;
    probe.resize(slash == 0 ? 1 : slash);
  }
}

// `path` without its last `depth` components ("" when it has fewer).
std::string Ancestor(std::string path, int depth) {
  for (int i = 0; i < depth; ++i) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos || path == "/") return "";
    path.resize(slash == 0 ? 1 : slash);
  }
  return path;
}

// Whether a sandbox running as (or for) `caller` could create the missing `folder` so that ncp
// would trust it later: ncp trusts what lies below a base only `caller` or root may write.
bool SandboxCouldPlant(const ProtectedPath& folder, const PolicyFolder& spec, uid_t caller) {
  struct stat st;
  const std::string base = Ancestor(spec.path, spec.base_depth);
  if (!base.empty() && ::stat(base.c_str(), &st) == 0 && st.st_uid != caller &&
      !OnlyWritableBy(st, caller)) {
    return false;  // a base someone else may write, and caller cannot chmod: never trusted
  }
  if (::stat(folder.existing.c_str(), &st) != 0) return false;
  return st.st_uid == caller || (st.st_mode & 022) != 0;
}

base::Status ChangedWhileChecked(const std::string& what) {
  return base::Error(base::Code::kFailedPrecondition,
                     what +
                         " changed while ncp-launch checked it (something is replacing it, "
                         "or a symlink on its path); nothing was started");
}

// The real path of a bind's source, proved to name the file whose identity was recorded
// (RecordSourceIdentities): the check below is then about exactly what the child will mount.
// nullopt for a source that did not exist when it was recorded (the child refuses it if it
// exists by then).
base::StatusOr<std::optional<std::string>> CheckedRealPath(const Mount& mount) {
  std::optional<std::string> real = RealPath(mount.source);
  if (!mount.identity) return real;
  if (!real || IdentityOfRealPath(*real) != mount.identity) {
    return ChangedWhileChecked("bind: " + mount.source);
  }
  return real;
}

// A pin or a cover at `source`'s own place in the sandbox, `source` a real path inside an
// already checked bind: its identity is recorded the same way, so the child mounts that folder
// or file and nothing put there later.
base::StatusOr<Mount> InPlaceMount(MountKind kind, const std::string& source,
                                   const std::string& destination) {
  Mount mount{kind, source, destination, false};
  mount.identity = IdentityOfRealPath(source);
  if (!mount.identity) return ChangedWhileChecked("policy state " + source);
  mount.in_place = true;
  return mount;
}

class Protector {
 public:
  explicit Protector(Plan* plan) : plan_(plan), real_sources_(plan->mounts.size()) {}

  // `could_plant`: for a missing folder, whether a sandbox could create a trusted one there.
  base::Status Protect(const ProtectedPath& path, bool could_plant) {
    for (size_t i = 0; i < plan_->mounts.size(); ++i) {
      const Mount& mount = plan_->mounts[i];
      if (mount.kind != MountKind::kBind) continue;
      auto checked = RealSource(i);
      if (!checked.ok()) return checked.status();
      const std::optional<std::string>& source = *checked;
      if (!source) continue;  // a missing source fails (or, for bind-try, is skipped) later
      const std::optional<std::string> around =
          path.exists ? ContainingFolder(path.real, *source) : std::nullopt;
      if (around && *source != *around) {
        return base::Error(base::Code::kFailedPrecondition,
                           "bind: " + mount.source + " lies inside " + path.real +
                               ", which holds ncp's policy state: a sandbox may not write it");
      }
      // The bind's source as it lies on the protected path (an alias of the source counts).
      const std::optional<std::string> anchor = ContainingFolder(*source, path.existing);
      if (!anchor) continue;
      if (base::Status s = Shield(i, *anchor, path, could_plant); !s.ok()) return s;
    }
    return base::Status::Ok();
  }

  // Each symlink on the way to `lexical` (as ncp names it) that lies in a writable bind could be
  // pointed elsewhere by the sandbox: the pins and covers hold only the current target.
  base::Status RefuseSymlinksOnTheWay(const std::string& lexical) {
    struct stat st;
    for (size_t slash = lexical.find('/', 1);; slash = lexical.find('/', slash + 1)) {
      const std::string prefix = lexical.substr(0, slash);
      if (::lstat(prefix.c_str(), &st) != 0) return base::Status::Ok();
      if (S_ISLNK(st.st_mode)) {
        const std::optional<std::string> parent = RealPath(Ancestor(prefix, 1));
        for (size_t i = 0; i < plan_->mounts.size(); ++i) {
          const Mount& mount = plan_->mounts[i];
          if (mount.kind != MountKind::kBind || !parent) continue;
          auto checked = RealSource(i);
          if (!checked.ok()) return checked.status();
          const std::optional<std::string>& source = *checked;
          if (source && ContainingFolder(*source, *parent)) {
            return base::Error(base::Code::kFailedPrecondition,
                               "bind: " + mount.source + " holds the symlink " + prefix +
                                   " on the way to " + lexical +
                                   ", ncp's policy state: a sandbox could point it elsewhere; "
                                   "bind a narrower folder, or name the state without symlinks");
          }
        }
      }
      if (slash == std::string::npos) return base::Status::Ok();
    }
  }

  // The pins, each right after its bind so that later mounts of the plan still land on top,
  // then the covers.
  std::vector<std::string> Apply() {
    std::vector<Mount> mounts;
    for (size_t i = 0; i < plan_->mounts.size(); ++i) {
      mounts.push_back(plan_->mounts[i]);
      for (const auto& [after, pin] : pins_) {
        if (after == i) mounts.push_back(pin);
      }
    }
    mounts.insert(mounts.end(), covers_.begin(), covers_.end());
    plan_->mounts = std::move(mounts);
    return std::move(notes_);
  }

 private:
  // Once per bind, however many protected paths it is checked against.
  base::StatusOr<std::optional<std::string>> RealSource(size_t i) {
    if (!real_sources_[i]) {
      auto checked = CheckedRealPath(plan_->mounts[i]);
      if (!checked.ok()) return checked.status();
      real_sources_[i] = std::move(*checked);
    }
    return *real_sources_[i];
  }

  base::Status Shield(size_t bind_index, const std::string& source, const ProtectedPath& path,
                      bool could_plant) {
    const Mount& bind = plan_->mounts[bind_index];
    std::string target = path.existing;
    if (!path.exists) {
      // Where the sandbox could create the missing folder and fill it, the folder it would be
      // created in is made read-only; elsewhere the loaders' owner checks
      // (policy/owned_folder.h) refuse whatever a sandbox could put there.
      if (!could_plant) return base::Status::Ok();
      if (target == source) {
        return base::Error(
            base::Code::kFailedPrecondition,
            "bind: " + bind.source + ": a sandbox could create " + path.real +
                ", ncp's policy state, inside it (it could not be created beforehand); create "
                "it (mkdir -p -m 0700 " +
                path.real + ") or bind a narrower folder");
      }
    }
    const std::string rest = *RelativeInside(source, target);
    // Every folder strictly between the bind's source and the target becomes a mount point.
    for (size_t slash = rest.find('/'); slash != std::string::npos;
         slash = rest.find('/', slash + 1)) {
      const std::string part = rest.substr(0, slash);
      auto made = InPlaceMount(MountKind::kBind, Join(source, part), Join(bind.destination, part));
      if (!made.ok()) return made.status();
      const Mount& pin = *made;
      if (std::find_if(pins_.begin(), pins_.end(),
                       [&](const auto& p) { return p.second == pin; }) != pins_.end()) {
        continue;
      }
      pins_.emplace_back(bind_index, pin);
    }
    auto made = InPlaceMount(MountKind::kReadOnlyBind, target, Join(bind.destination, rest));
    if (!made.ok()) return made.status();
    Mount cover = std::move(*made);
    if (std::find(covers_.begin(), covers_.end(), cover) != covers_.end())
      return base::Status::Ok();
    notes_.push_back("policy state " + target + " is read-only at " + cover.destination +
                     " (inside the writable bind of " + bind.source + ")" +
                     (path.exists ? "" : ", so that " + path.real + " cannot be created"));
    covers_.push_back(std::move(cover));
    return base::Status::Ok();
  }

  Plan* const plan_;
  // Per plan mount (before Apply): its checked real path, once computed.
  std::vector<std::optional<std::optional<std::string>>> real_sources_;
  std::vector<std::pair<size_t, Mount>> pins_;
  std::vector<Mount> covers_;
  std::vector<std::string> notes_;
};

}  // namespace

base::StatusOr<std::vector<std::string>> ProtectPolicyState(Plan* plan,
                                                            const PolicyStatePaths& paths,
                                                            uid_t caller) {
  Protector protector(plan);
  for (const PolicyFolder& folder : paths.folders) {
    auto located = Locate(folder.path);
    if (!located) continue;
    if (base::Status s = protector.RefuseSymlinksOnTheWay(folder.path); !s.ok()) return s;
    const bool could_plant = !located->exists && SandboxCouldPlant(*located, folder, caller);
    if (base::Status s = protector.Protect(*located, could_plant); !s.ok()) return s;
  }
  for (const std::string& file : paths.files) {
    auto located = Locate(file);
    // A file read moments ago that is gone now: nothing of it to protect.
    if (!located || !located->exists) continue;
    if (base::Status s = protector.RefuseSymlinksOnTheWay(file); !s.ok()) return s;
    if (base::Status s = protector.Protect(*located, false); !s.ok()) return s;
  }
  return protector.Apply();
}

bool InsideWritableBind(const Plan& plan, const std::string& path) {
  const std::optional<ProtectedPath> located = Locate(path);
  if (!located) return false;
  for (const Mount& mount : plan.mounts) {
    if (mount.kind != MountKind::kBind) continue;
    const std::optional<std::string> source = RealPath(mount.source);
    if (source && ContainingFolder(*source, located->existing)) return true;
  }
  return false;
}

}  // namespace ncp::policy
