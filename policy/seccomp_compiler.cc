#include "policy/seccomp_compiler.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <memory>

#include "base/unique_fd.h"

namespace ncp::policy {
namespace {

std::atomic<uint64_t> g_compile_count{0};

struct FilterDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using ScopedFilter = std::unique_ptr<void, FilterDeleter>;

uint32_t ToScmpAction(const SeccompAction& action) {
  switch (action.kind) {
    case SeccompActionKind::kAllow:
      return SCMP_ACT_ALLOW;
    case SeccompActionKind::kErrno:
      return SCMP_ACT_ERRNO(action.errno_value);
    case SeccompActionKind::kKillProcess:
      return SCMP_ACT_KILL_PROCESS;
    case SeccompActionKind::kKillThread:
      return SCMP_ACT_KILL_THREAD;
    case SeccompActionKind::kTrap:
      return SCMP_ACT_TRAP;
    case SeccompActionKind::kLog:
      return SCMP_ACT_LOG;
    case SeccompActionKind::kNotify:
      return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_PROCESS;
}

scmp_arg_cmp ToScmpCondition(const ArgCondition& c) {
  scmp_arg_cmp out{};
  out.arg = c.arg;
  out.datum_a = c.value;
  switch (c.op) {
    case ArgOp::kEq:
      out.op = SCMP_CMP_EQ;
      break;
    case ArgOp::kNe:
      out.op = SCMP_CMP_NE;
      break;
    case ArgOp::kLt:
      out.op = SCMP_CMP_LT;
      break;
    case ArgOp::kLe:
      out.op = SCMP_CMP_LE;
      break;
    case ArgOp::kGt:
      out.op = SCMP_CMP_GT;
      break;
    case ArgOp::kGe:
      out.op = SCMP_CMP_GE;
      break;
    case ArgOp::kMaskedEq:
      out.op = SCMP_CMP_MASKED_EQ;
      out.datum_a = c.mask;
      out.datum_b = c.value;
      break;
  }
  return out;
}

base::Status LibseccompError(const char* what, int rc) {
  return base::Status(base::Code::kInternal, std::string("libseccomp: ") + what, -rc);
}

// libseccomp 2.5 can only export to an fd; a memfd keeps that in memory.
base::StatusOr<std::vector<sock_filter>> ExportProgram(void* ctx) {
  base::UniqueFd fd(::memfd_create("ncp-seccomp", MFD_CLOEXEC));
  if (!fd) return base::ErrnoError("memfd_create for the seccomp program");
  int rc = seccomp_export_bpf(ctx, fd.get());
  if (rc != 0) return LibseccompError("seccomp_export_bpf", rc);
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0 ||
      size > static_cast<off_t>(BPF_MAXINSNS * sizeof(sock_filter))) {
    return base::Error(base::Code::kInternal,
                       "seccomp program has a bad size (" + std::to_string(size) + " bytes)");
  }
  std::vector<sock_filter> program(size / sizeof(sock_filter));
  if (::pread(fd.get(), program.data(), size, 0) != size) {
    return base::ErrnoError("reading back the seccomp program");
  }
  return program;
}

}  // namespace

base::StatusOr<std::vector<sock_filter>> CompileSeccomp(const SeccompPolicy& policy,
                                                        uint32_t arch) {
  ++g_compile_count;
  const uint32_t default_action = ToScmpAction(policy.default_action);
  ScopedFilter ctx(seccomp_init(default_action));
  if (!ctx) return base::Error(base::Code::kInternal, "libseccomp: seccomp_init failed");
  if (arch != seccomp_arch_native()) {
    int rc = seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE);
    if (rc == 0) rc = seccomp_arch_add(ctx.get(), arch);
    if (rc != 0) return LibseccompError("selecting the architecture", rc);
  }
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  // The launcher sets no_new_privs itself, in its own order of steps.
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc != 0) return LibseccompError("setting filter attributes", rc);

  for (const SeccompRule& rule : policy.rules) {
    const uint32_t action = ToScmpAction(rule.action);
    // Same as the default: the rule changes nothing, and libseccomp refuses it.
    if (action == default_action) continue;
    std::vector<scmp_arg_cmp> conditions;
    for (const ArgCondition& c : rule.conditions) conditions.push_back(ToScmpCondition(c));
    rc = seccomp_rule_add_exact_array(ctx.get(), action, rule.nr,
                                      static_cast<unsigned>(conditions.size()), conditions.data());
    if (rc != 0) {
      return LibseccompError(("adding the rule for " + rule.syscall).c_str(), rc);
    }
  }
  return ExportProgram(ctx.get());
}

uint64_t SeccompCompileCount() { return g_compile_count.load(); }

std::string LibseccompVersion() {
  const scmp_version* v = seccomp_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

}  // namespace ncp::policy
