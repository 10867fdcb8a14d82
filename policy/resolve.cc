#include "policy/resolve.h"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <climits>

#include "policy/seccomp_builder.h"
#include "policy/seccomp_compiler.h"
#include "policy/seccomp_supervision.h"
#include "policy/syscall_names.h"

namespace ncp::policy {
namespace {

struct RlimitName {
  const char* name;
  int resource;
};

constexpr RlimitName kRlimits[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "inf", "unlimited", "1024", "64M", "4G".
std::optional<uint64_t> ParseLimit(std::string_view text) {
  if (text == "inf" || text == "infinity" || text == "unlimited") return RLIM_INFINITY;
  uint64_t scale = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
      case 'k':
        scale = 1ull << 10;
        break;
      case 'M':
      case 'm':
        scale = 1ull << 20;
        break;
      case 'G':
      case 'g':
        scale = 1ull << 30;
        break;
      default:
        break;
    }
    if (scale != 1) text.remove_suffix(1);
  }
  std::optional<uint64_t> value = ParseUnsigned(text);
  if (!value || *value > RLIM_INFINITY / scale) return std::nullopt;
  return *value * scale;
}

// Absolute, and without "." or ".." components that would make the destination ambiguous.
bool IsCleanAbsolutePath(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos + 1);
    std::string_view part = path.substr(
        pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    if (part == "." || part == "..") return false;
    pos = next == std::string_view::npos ? path.size() : next;
  }
  return true;
}

bool IsValidHostname(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

bool AllowsEveryCall(SeccompActionKind kind) {
  return kind == SeccompActionKind::kAllow || kind == SeccompActionKind::kLog;
}

// Whether every call of syscall `nr` is allowed, whatever its arguments: by an unconditional
// allow rule, or by the default when no rule (or only allowing conditional ones) names it.
bool AlwaysAllowed(const SeccompPolicy& policy, int nr) {
  for (const SeccompRule& rule : policy.rules) {
    if (rule.nr != nr) continue;
    if (!AllowsEveryCall(rule.action.kind)) return false;
    if (rule.conditions.empty()) return true;
  }
  // No rule, or only conditional ones: calls that match none get the default.
  return AllowsEveryCall(policy.default_action.kind);
}

class Resolver {
 public:
  Resolver(const std::vector<OptionEvent>& events, const ResolveOptions& options)
      : options_(options),
        arch_(options.arch != 0 ? options.arch : NativeArch()),
        strict_(std::any_of(events.begin(), events.end(),
                            [](const OptionEvent& e) { return e.id == OptionId::kStrict; })),
        seccomp_(arch_, strict_) {}

  ResolveResult Run(const std::vector<OptionEvent>& events) {
    for (const OptionEvent& event : events) {
      if (!seccomp_.Apply(event, &diags_)) ApplyOne(event);
    }
    CheckConflicts();
    FinishMounts();
    FinishSeccomp();
    ResolveResult result;
    result.filter_origin = filter_origin_;
    result.oci_files = seccomp_.oci_files();
    if (!diags_.HasErrors()) {
      for (const Diagnostic& d : diags_.items()) plan_.warnings.push_back(d.Render());
      result.plan = std::move(plan_);
    }
    result.diagnostics = std::move(diags_);
    return result;
  }

 private:
  void ApplyOne(const OptionEvent& e) {
    Namespaces& ns = plan_.namespaces;
    switch (e.id) {
      case OptionId::kUnshareUser:
        Unshare(&ns.user, e);
        break;
      case OptionId::kUnsharePid:
        Unshare(&ns.pid, e);
        break;
      case OptionId::kUnshareNet:
        Unshare(&ns.net, e);
        break;
      case OptionId::kUnshareIpc:
        Unshare(&ns.ipc, e);
        break;
      case OptionId::kUnshareUts:
        Unshare(&ns.uts, e);
        break;
      case OptionId::kUnshareCgroup:
        Unshare(&ns.cgroup, e);
        break;
      case OptionId::kUnshareMount:
        Unshare(&ns.mount, e);
        break;
      case OptionId::kUnshareAll:
        ns = {true, true, true, true, true, true, true};
        if (!first_unshare_) first_unshare_ = e.loc;
        break;
      case OptionId::kShareNet:
        ns.net = false;
        break;
      case OptionId::kRoBind:
        AddBind(MountKind::kReadOnlyBind, false, e);
        break;
      case OptionId::kRoBindTry:
        AddBind(MountKind::kReadOnlyBind, true, e);
        break;
      case OptionId::kBind:
        AddBind(MountKind::kBind, false, e);
        break;
      case OptionId::kBindTry:
        AddBind(MountKind::kBind, true, e);
        break;
      case OptionId::kTmpfs:
        AddTmpfs(e);
        break;
      case OptionId::kTmpfsSize:
        if (std::optional<uint64_t> size = ParseTmpfsSize(e, e.value)) plan_.tmpfs_size = *size;
        break;
      case OptionId::kLandlock:
        SetLandlock(e);
        break;
      case OptionId::kHostname:
        if (!IsValidHostname(e.value)) {
          diags_.Error(e.loc, "hostname: '" + e.value +
                                  "' is not a host name (1-64 letters, digits, '-', '.')");
        }
        plan_.hostname = e.value;
        hostname_loc_ = e.loc;
        break;
      case OptionId::kChdir:
        if (e.value.empty() || e.value[0] != '/' || e.value.size() > 4095) {
          diags_.Error(e.loc, "chdir: '" + e.value + "' is not an absolute path");
        }
        plan_.chdir = e.value;
        break;
      case OptionId::kUid:
        SetId(&plan_.uid, &uid_loc_, e);
        break;
      case OptionId::kGid:
        SetId(&plan_.gid, &gid_loc_, e);
        break;
      case OptionId::kRlimit:
        AddRlimit(e);
        break;
      case OptionId::kTimeLimit:
        SetTimeLimit(e);
        break;
      case OptionId::kCgroup:
        if (e.value == "best-effort") {
          plan_.cgroup.mode = CgroupMode::kBestEffort;
        } else if (e.value == "required") {
          plan_.cgroup.mode = CgroupMode::kRequired;
        } else {
          diags_.Error(e.loc, "cgroup: '" + e.value + "' is not a mode (best-effort, required)");
        }
        break;
      case OptionId::kCgroupMemory:
        if (std::optional<uint64_t> size = ParseLimit(e.value);
            size && *size >= (1u << 20) && *size != RLIM_INFINITY) {
          plan_.cgroup.memory_max = *size;
        } else {
          diags_.Error(e.loc, "cgroup-memory: bad size '" + e.value +
                                  "' (bytes with optional K/M/G, at least 1M)");
        }
        break;
      case OptionId::kCgroupPids:
        if (std::optional<uint64_t> n = ParseUnsigned(e.value); n && *n >= 1 && *n <= 4194304) {
          plan_.cgroup.pids_max = *n;
        } else {
          diags_.Error(e.loc, "cgroup-pids: '" + e.value + "' is not a number from 1 to 4194304");
        }
        break;
      case OptionId::kCgroupCpu:
        if (std::optional<uint64_t> n = ParseUnsigned(e.value); n && *n >= 1 && *n <= 100000) {
          plan_.cgroup.cpu_percent = static_cast<uint32_t>(*n);
        } else {
          diags_.Error(e.loc, "cgroup-cpu: '" + e.value + "' is not a percentage from 1 to 100000");
        }
        break;
      case OptionId::kEnv:
        AddEnv(e);
        break;
      case OptionId::kUnsetEnv:
        if (e.value.find('=') != std::string::npos) {
          diags_.Error(e.loc, "unsetenv: '" + e.value + "' is not a variable name");
        }
        plan_.env.push_back({EnvOpKind::kUnset, e.value, ""});
        break;
      case OptionId::kClearEnv:
        plan_.clear_env = true;
        plan_.env.clear();
        break;
      case OptionId::kFd:
        AddFd(e);
        break;
      default:
        break;  // strict was read up front; actions never reach here
    }
  }

  void Unshare(bool* flag, const OptionEvent& e) {
    *flag = true;
    if (!first_unshare_) first_unshare_ = e.loc;
  }

  void AddBind(MountKind kind, bool optional, const OptionEvent& e) {
    const std::string option = GetOption(e.id).name;
    size_t colon = e.value.find(':');
    std::string source = e.value.substr(0, colon);
    std::string dest = colon == std::string::npos ? source : e.value.substr(colon + 1);
    if (!IsCleanAbsolutePath(source)) {
      diags_.Error(e.loc, option + ": source '" + source + "' must be an absolute path");
      return;
    }
    if (!IsCleanAbsolutePath(dest)) {
      diags_.Error(e.loc, option + ": destination '" + dest +
                              "' must be an absolute path without '.' or '..'");
      return;
    }
    plan_.mounts.push_back({kind, source, dest, optional});
    if (!first_mount_) first_mount_ = e.loc;
  }

  // DEST or DEST:SIZE; what follows the last ':' is the size, so a DEST with a ':' in its name
  // needs one.
  void AddTmpfs(const OptionEvent& e) {
    const size_t colon = e.value.rfind(':');
    const std::string dest = e.value.substr(0, colon);
    uint64_t size = 0;  // the plan's tmpfs-size, filled in by FinishMounts
    if (colon != std::string::npos) {
      std::optional<uint64_t> given = ParseTmpfsSize(e, e.value.substr(colon + 1));
      if (!given) return;
      size = *given;
    }
    if (!IsCleanAbsolutePath(dest)) {
      diags_.Error(
          e.loc, "tmpfs: destination '" + dest + "' must be an absolute path without '.' or '..'");
      return;
    }
    Mount mount{MountKind::kTmpfs, "", dest, false};
    mount.size = size;
    plan_.mounts.push_back(mount);
    if (!first_mount_) first_mount_ = e.loc;
  }

  // A size in bytes with K/M/G, at least a page; "unlimited" leaves it to the kernel.
  std::optional<uint64_t> ParseTmpfsSize(const OptionEvent& e, const std::string& text) {
    const std::string option = GetOption(e.id).name;
    if (text == "unlimited" || text == "inf" || text == "infinity") return kUnboundedTmpfs;
    std::optional<uint64_t> size = ParseLimit(text);
    if (!size || *size < 4096 || *size == RLIM_INFINITY) {
      diags_.Error(e.loc, option + ": bad size '" + text +
                              "' (bytes with optional K/M/G, at least 4K, or unlimited)");
      return std::nullopt;
    }
    return size;
  }

  // Every tmpfs gets a size: its own, else the last tmpfs-size given.
  void FinishMounts() {
    for (Mount& m : plan_.mounts) {
      if (m.kind == MountKind::kTmpfs && m.size == 0) m.size = plan_.tmpfs_size;
    }
  }

  // off | best-effort | required | required:ABI; the last one given wins.
  void SetLandlock(const OptionEvent& e) {
    LandlockPlan landlock;
    if (e.value == "off") {
      landlock.mode = LandlockMode::kOff;
    } else if (e.value == "best-effort") {
      landlock.mode = LandlockMode::kBestEffort;
    } else if (e.value == "required") {
      landlock = {LandlockMode::kRequired, kDefaultRequiredLandlockAbi};
    } else if (e.value.starts_with("required:")) {
      std::optional<uint64_t> abi = ParseUnsigned(std::string_view(e.value).substr(9));
      if (!abi || *abi < 1 || *abi > kHighestKnownLandlockAbi) {
        diags_.Error(e.loc, "landlock: '" + e.value + "': the ABI must be a number from 1 to " +
                                std::to_string(kHighestKnownLandlockAbi));
        return;
      }
      landlock = {LandlockMode::kRequired, static_cast<uint32_t>(*abi)};
    } else {
      diags_.Error(e.loc, "landlock: '" + e.value +
                              "' is not a mode (off, best-effort, required, required:ABI)");
      return;
    }
    plan_.landlock = landlock;
    landlock_loc_ = e.loc;
  }

  void SetId(std::optional<uint32_t>* id, std::optional<SourceLoc>* loc, const OptionEvent& e) {
    std::optional<uint64_t> value = ParseUnsigned(e.value);
    // (uint32_t)-1 means "no change" to the kernel, so it cannot be an id.
    if (!value || *value >= UINT32_MAX) {
      diags_.Error(e.loc, std::string(GetOption(e.id).name) + ": '" + e.value +
                              "' is not a user or group id");
      return;
    }
    *id = static_cast<uint32_t>(*value);
    *loc = e.loc;
  }

  void AddRlimit(const OptionEvent& e) {
    size_t eq = e.value.find('=');
    std::string name = e.value.substr(0, eq);
    auto known = std::find_if(std::begin(kRlimits), std::end(kRlimits),
                              [&](const RlimitName& r) { return name == r.name; });
    if (known == std::end(kRlimits)) {
      std::string all;
      for (const RlimitName& r : kRlimits) all += (all.empty() ? "" : ", ") + std::string(r.name);
      diags_.Error(e.loc, "rlimit: unknown resource '" + name + "' (known: " + all + ")");
      return;
    }
    if (eq == std::string::npos) {
      diags_.Error(e.loc, "rlimit: expected NAME=SOFT[:HARD], got '" + e.value + "'");
      return;
    }
    std::string limits = e.value.substr(eq + 1);
    size_t colon = limits.find(':');
    std::optional<uint64_t> soft = ParseLimit(limits.substr(0, colon));
    std::optional<uint64_t> hard =
        colon == std::string::npos ? soft : ParseLimit(limits.substr(colon + 1));
    if (!soft || !hard) {
      diags_.Error(e.loc, "rlimit: bad limit '" + limits +
                              "' (a number with optional K/M/G, or inf/unlimited)");
      return;
    }
    if (*soft > *hard) {
      diags_.Error(e.loc, "rlimit: soft limit of '" + name + "' is above its hard limit");
      return;
    }
    std::erase_if(plan_.rlimits, [&](const Rlimit& r) { return r.name == name; });
    plan_.rlimits.push_back({name, known->resource, *soft, *hard});
  }

  // SECONDS, with up to three decimals: "10", "0.5", "1.25". At most 366 days.
  void SetTimeLimit(const OptionEvent& e) {
    const std::string& text = e.value;
    const size_t dot = text.find('.');
    std::optional<uint64_t> whole = ParseUnsigned(text.substr(0, dot));
    uint64_t ms = 0;
    bool ok = whole.has_value() && *whole <= 366ull * 24 * 3600;
    if (ok) ms = *whole * 1000;
    if (ok && dot != std::string::npos) {
      std::string fraction = text.substr(dot + 1);
      std::optional<uint64_t> digits = ParseUnsigned(fraction);
      ok = digits.has_value() && fraction.size() <= 3;
      if (ok) ms += *digits * (fraction.size() == 1 ? 100 : fraction.size() == 2 ? 10 : 1);
    }
    if (!ok || ms == 0) {
      diags_.Error(e.loc, "time-limit: '" + text +
                              "' is not a number of seconds above 0 (up to 3 decimals, at most "
                              "366 days)");
      return;
    }
    plan_.time_limit_ms = ms;
    time_limit_loc_ = e.loc;
  }

  void AddEnv(const OptionEvent& e) {
    size_t eq = e.value.find('=');
    if (eq == 0 || eq == std::string::npos) {
      diags_.Error(e.loc, "env: expected NAME=VALUE, got '" + e.value + "'");
      return;
    }
    plan_.env.push_back({EnvOpKind::kSet, e.value.substr(0, eq), e.value.substr(eq + 1)});
  }

  void AddFd(const OptionEvent& e) {
    size_t eq = e.value.find('=');
    std::string name = e.value.substr(0, eq);
    std::optional<uint64_t> fd =
        eq == std::string::npos ? std::nullopt : ParseUnsigned(e.value.substr(eq + 1));
    if (name.empty() || eq == std::string::npos || !fd) {
      diags_.Error(e.loc, "fd: expected NAME=N, got '" + e.value + "'");
      return;
    }
    if (*fd > static_cast<uint64_t>(kMaxFdNumber)) {
      diags_.Error(e.loc, "fd: " + name + "=" + e.value.substr(eq + 1) +
                              " is above the highest fd number, " + std::to_string(kMaxFdNumber));
      return;
    }
    // OpenHarmony limits fd names to 20 characters; keep that so names survive both ways.
    if (name.size() > 20) {
      diags_.Error(e.loc, "fd: name '" + name + "' is longer than 20 characters");
      return;
    }
    std::erase_if(plan_.fds, [&](const FdMapping& f) { return f.name == name; });
    plan_.fds.push_back({name, static_cast<int>(*fd)});
  }

  void CheckConflicts() {
    const Namespaces& ns = plan_.namespaces;
    if (hostname_loc_ && !ns.uts) {
      diags_.Error(*hostname_loc_,
                   "hostname needs a UTS namespace (add unshare-uts or unshare-all)");
    }
    if (first_mount_ && !ns.mount) {
      diags_.Error(*first_mount_,
                   "mounts need a mount namespace (add unshare-mount or unshare-all)");
    }
    if (uid_loc_ && !ns.user) {
      diags_.Error(*uid_loc_, "uid needs a user namespace (add unshare-user or unshare-all)");
    }
    // Killing init ends everything in its pid namespace; without one, descendants would outlive
    // the limit.
    if (time_limit_loc_ && !ns.pid) {
      diags_.Error(*time_limit_loc_,
                   "time-limit needs a pid namespace, so that the whole sandbox ends with it "
                   "(add unshare-pid or unshare-all)");
    }
    if (gid_loc_ && !ns.user) {
      diags_.Error(*gid_loc_, "gid needs a user namespace (add unshare-user or unshare-all)");
    }
    // The rules mirror the mounts; without a new root there is nothing to mirror.
    if (plan_.landlock.mode == LandlockMode::kRequired && !ns.mount) {
      diags_.Error(landlock_loc_.value_or(SourceLoc{std::string(kCommandLine), 0}),
                   "landlock=required needs a mount namespace: its rules mirror the sandbox's "
                   "mounts (add unshare-mount or unshare-all)");
    }
    // ncp-launch has no privileges: every other namespace hangs off a new user namespace.
    if (ns.Any() && !ns.user) {
      diags_.Error(*first_unshare_,
                   "namespaces need unshare-user: ncp-launch runs without privileges");
    }
  }

  void FinishSeccomp() {
    SeccompPlan& out = plan_.seccomp;
    out.before_load = seccomp_.before_load();
    out.arch = arch_;
    if (seccomp_.disabled()) {
      if (seccomp_.configured()) {
        diags_.Warning(seccomp_.disabled_loc(), "no-seccomp is set: the seccomp rules are ignored");
      }
      return;
    }
    if (diags_.HasErrors()) return;  // the plan is refused anyway; keep the report short
    if (!seccomp_.configured()) {
      diags_.Warning({std::string(kCommandLine), 0},
                     "no seccomp rules given: the child runs without a seccomp filter");
      return;
    }
    out.enabled = true;
    out.policy = seccomp_.Build();
    if (!CheckRequiredSyscalls(out.policy)) return;
    const auto compile = [&](const SeccompPolicy& policy) {
      return options_.cache != nullptr
                 ? options_.cache->GetOrCompile(policy, arch_, &filter_origin_)
                 : CompileSeccomp(policy, arch_);
    };
    // Supervised kills need init to outlast the program, as it does in a pid namespace.
    std::optional<SeccompPolicy> supervised =
        plan_.namespaces.pid ? SupervisedPolicy(out.policy) : std::nullopt;
    base::StatusOr<std::vector<sock_filter>> program =
        supervised ? compile(*supervised) : compile(out.policy);
    out.supervised = supervised && program.ok();
    // A libseccomp that does not know user notification (it probes the kernel) still builds the
    // plain filter, whose kills are the kernel's: reported as SIGSYS, without a name.
    if (supervised && !program.ok()) program = compile(out.policy);
    if (!program.ok()) {
      diags_.Error(seccomp_.last_loc(),
                   "cannot compile the seccomp filter: " + program.status().ToString());
      return;
    }
    out.program = std::move(program).value();
  }

  // The filter is installed before the process's last steps: it must let them through.
  bool CheckRequiredSyscalls(const SeccompPolicy& policy) {
    bool ok = true;
    for (const RequiredSyscall& r : options_.required_syscalls) {
      SyscallLookup lookup = LookUpSyscall(r.name, arch_);
      if (lookup.kind != SyscallKind::kPresent || AlwaysAllowed(policy, lookup.nr)) continue;
      diags_.Error(seccomp_.last_loc(), "the seccomp filter does not always allow " + r.name +
                                            ": " + r.why + "; add seccomp-allow = " + r.name);
      ok = false;
    }
    return ok;
  }

  const ResolveOptions& options_;
  const uint32_t arch_;
  const bool strict_;
  internal::SeccompBuilder seccomp_;
  Plan plan_;
  Diagnostics diags_;
  std::optional<SourceLoc> landlock_loc_;
  FilterOrigin filter_origin_;
  std::optional<SourceLoc> hostname_loc_, uid_loc_, gid_loc_, first_mount_, first_unshare_;
  std::optional<SourceLoc> time_limit_loc_;
};

}  // namespace

std::vector<RequiredSyscall> EssentialSyscalls() {
  return {
      {"exit_group", "every process needs it to end (else it dies of SIGSEGV)"},
      {"exit", "every thread needs it to end"},
  };
}

ResolveResult Resolve(const std::vector<OptionEvent>& events, const ResolveOptions& options) {
  return Resolver(events, options).Run(events);
}

ResolveResult Resolve(const ParsedCli& cli, const ResolveOptions& options) {
  return Resolve(cli.events, options);
}

bool operator==(const SeccompPlan& a, const SeccompPlan& b) {
  return a.enabled == b.enabled && a.before_load == b.before_load && a.arch == b.arch &&
         a.policy == b.policy && a.supervised == b.supervised && a.program == b.program;
}

}  // namespace ncp::policy
