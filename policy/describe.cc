#include "policy/describe.h"

#include <sys/resource.h>

#include <sstream>

#include "policy/seccomp_syntax.h"
#include "policy/syscall_names.h"

namespace ncp::policy {
namespace {

std::string LimitText(uint64_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

// 64M, 1G, 4096: the largest unit that divides the size exactly.
std::string SizeText(uint64_t bytes) {
  if (bytes == kUnboundedTmpfs) return "unbounded: half of the host's memory";
  const char* units[] = {"G", "M", "K"};
  const int shifts[] = {30, 20, 10};
  for (int i = 0; i < 3; ++i) {
    const uint64_t unit = 1ull << shifts[i];
    if (bytes % unit == 0) return std::to_string(bytes / unit) + units[i];
  }
  return std::to_string(bytes);
}

const char* MountKindText(MountKind kind) {
  switch (kind) {
    case MountKind::kReadOnlyBind:
      return "ro-bind";
    case MountKind::kBind:
      return "bind";
    case MountKind::kTmpfs:
      return "tmpfs";
  }
  return "?";
}

std::string Where(const SourceLoc& loc) {
  if (loc.file.empty()) return "";
  return loc.line > 0 ? loc.file + ":" + std::to_string(loc.line) : loc.file;
}

std::string LandlockText(const Plan& plan) {
  switch (plan.landlock.mode) {
    case LandlockMode::kOff:
      return "off";
    case LandlockMode::kBestEffort:
      return plan.namespaces.mount ? "best-effort" : "best-effort (none: no mount namespace)";
    case LandlockMode::kRequired:
      return "required (ABI " + std::to_string(plan.landlock.min_abi) + " or later)";
  }
  return "?";
}

}  // namespace

std::string DescribePlan(const Plan& plan) {
  std::ostringstream out;
  const Namespaces& ns = plan.namespaces;
  out << "namespaces:";
  if (!ns.Any()) out << " none (runs in the host's namespaces)";
  if (ns.user) out << " user";
  if (ns.pid) out << " pid";
  if (ns.net) out << " net";
  if (ns.ipc) out << " ipc";
  if (ns.uts) out << " uts";
  if (ns.cgroup) out << " cgroup";
  if (ns.mount) out << " mount";
  out << "\nnetwork: " << (ns.net ? "none (loopback only)" : "host") << "\n";
  out << "mounts:" << (plan.mounts.empty() ? " none" : "") << "\n";
  for (const Mount& m : plan.mounts) {
    out << "  " << MountKindText(m.kind) << (m.optional ? "-try " : " ");
    if (m.kind != MountKind::kTmpfs) out << m.source << " -> ";
    out << m.destination;
    if (m.kind == MountKind::kTmpfs) out << " (size " << SizeText(m.size) << ")";
    out << "\n";
  }
  if (plan.namespaces.mount) {
    out << "tmpfs size when none is given: " << SizeText(plan.tmpfs_size) << "\n";
  }
  if (plan.hostname) out << "hostname: " << *plan.hostname << "\n";
  if (plan.chdir) out << "working directory: " << *plan.chdir << "\n";
  if (plan.uid) out << "uid: " << *plan.uid << "\n";
  if (plan.gid) out << "gid: " << *plan.gid << "\n";
  for (const Rlimit& r : plan.rlimits) {
    out << "rlimit " << r.name << ": soft " << LimitText(r.soft) << ", hard " << LimitText(r.hard)
        << "\n";
  }
  if (plan.time_limit_ms) out << "time limit: " << SecondsText(*plan.time_limit_ms) << "\n";
  out << "environment: " << (plan.clear_env ? "cleared" : "inherited") << "\n";
  for (const EnvOp& e : plan.env) {
    if (e.kind == EnvOpKind::kSet)
      out << "  set " << e.name << "=" << e.value << "\n";
    else
      out << "  unset " << e.name << "\n";
  }
  for (const FdMapping& f : plan.fds) out << "fd " << f.name << " <- " << f.fd << "\n";
  const SeccompPlan& s = plan.seccomp;
  if (!s.enabled) {
    out << "seccomp: none\n";
  } else {
    out << "seccomp: " << s.policy.rules.size() << " rules, default "
        << ActionToString(s.policy.default_action) << ", " << s.program.size()
        << " BPF instructions, installed " << (s.before_load ? "before" : "after")
        << " the library is loaded\n";
    if (s.supervised) {
      out << "seccomp kills: supervised by ncp-launch, which names the call and the rule\n";
    }
  }
  out << "landlock: " << LandlockText(plan) << "\n";
  for (const std::string& w : plan.warnings) out << w << "\n";
  return out.str();
}

std::string SecondsText(uint64_t ms) {
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    text += "." + fraction;
  }
  return text + " s";
}

std::string ExplainSeccomp(const Plan& plan) {
  const SeccompPlan& s = plan.seccomp;
  if (!s.enabled) return "no seccomp filter: every syscall is allowed\n";
  std::ostringstream out;
  out << "architecture " << ArchName(s.arch)
      << " only; any other (i386, x32 on x86_64) kills the process\n";
  for (const SeccompRule& rule : s.policy.rules) {
    std::string name = rule.syscall.empty() ? SyscallName(rule.nr, s.arch) : rule.syscall;
    out << name << std::string(name.size() < 24 ? 24 - name.size() : 1, ' ')
        << ActionToString(rule.action);
    if (!rule.conditions.empty()) out << " if " << ConditionsToString(rule.conditions);
    std::string where = Where(rule.loc);
    if (!where.empty()) out << "   (" << where << ")";
    out << "\n";
  }
  out << "every other syscall: " << ActionToString(s.policy.default_action) << "\n";
  // Conditional rules fall back to the default when no condition matches.
  bool any_conditional = false;
  for (const SeccompRule& rule : s.policy.rules) any_conditional |= !rule.conditions.empty();
  if (any_conditional) {
    out << "calls to a syscall with conditions that match none of them: "
        << ActionToString(s.policy.default_action) << "\n";
  }
  return out.str();
}

}  // namespace ncp::policy
