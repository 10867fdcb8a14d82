#include "policy/plan_serialization.h"

#include "policy/byte_codec.h"

namespace ncp::policy {
namespace {

using internal::ByteReader;
using internal::ByteWriter;

constexpr std::string_view kMagic("NCPPLAN\0", 8);
// Limits far above any sane plan; they only stop hostile input from driving allocations.
constexpr uint32_t kMaxItems = 1 << 16;
constexpr uint32_t kMaxPayload = 64 << 20;
constexpr uint32_t kMaxLandlockAbi = 64;

void WriteAction(ByteWriter& w, const SeccompAction& a) {
  w.U8(static_cast<uint8_t>(a.kind));
  w.U32(static_cast<uint32_t>(a.errno_value));
}

bool ReadAction(ByteReader& r, SeccompAction* a) {
  uint8_t kind = r.U8();
  uint32_t err = r.U32();
  if (kind > static_cast<uint8_t>(SeccompActionKind::kLog) || err > 4095) return false;
  a->kind = static_cast<SeccompActionKind>(kind);
  a->errno_value = static_cast<int>(err);
  return true;
}

void WritePolicy(ByteWriter& w, const SeccompPolicy& p, bool with_locs) {
  WriteAction(w, p.default_action);
  w.U32(static_cast<uint32_t>(p.rules.size()));
  for (const SeccompRule& rule : p.rules) {
    w.Str(rule.syscall);
    w.U32(static_cast<uint32_t>(rule.nr));
    WriteAction(w, rule.action);
    w.U32(static_cast<uint32_t>(rule.conditions.size()));
    for (const ArgCondition& c : rule.conditions) {
      w.U8(c.arg);
      w.U8(static_cast<uint8_t>(c.op));
      w.U64(c.mask);
      w.U64(c.value);
    }
    if (with_locs) {
      w.Str(rule.loc.file);
      w.U32(static_cast<uint32_t>(rule.loc.line));
    }
  }
}

bool ReadPolicy(ByteReader& r, SeccompPolicy* p) {
  if (!ReadAction(r, &p->default_action)) return false;
  uint32_t rules = r.Count(kMaxItems);
  for (uint32_t i = 0; i < rules && r.ok(); ++i) {
    SeccompRule rule;
    rule.syscall = r.Str(256);
    rule.nr = static_cast<int>(r.U32());
    if (!ReadAction(r, &rule.action)) return false;
    uint32_t conditions = r.Count(6);
    for (uint32_t j = 0; j < conditions && r.ok(); ++j) {
      ArgCondition c;
      c.arg = r.U8();
      uint8_t op = r.U8();
      if (c.arg > 5 || op > static_cast<uint8_t>(ArgOp::kMaskedEq)) return false;
      c.op = static_cast<ArgOp>(op);
      c.mask = r.U64();
      c.value = r.U64();
      rule.conditions.push_back(c);
    }
    rule.loc.file = r.Str(4096);
    rule.loc.line = static_cast<int>(r.U32());
    p->rules.push_back(std::move(rule));
  }
  return r.ok();
}

void WritePayload(ByteWriter& w, const Plan& plan) {
  const Namespaces& ns = plan.namespaces;
  w.U8(ns.user | ns.pid << 1 | ns.net << 2 | ns.ipc << 3 | ns.uts << 4 | ns.cgroup << 5 |
       ns.mount << 6);
  w.U32(static_cast<uint32_t>(plan.mounts.size()));
  for (const Mount& m : plan.mounts) {
    w.U8(static_cast<uint8_t>(m.kind));
    w.Str(m.source);
    w.Str(m.destination);
    w.U8(m.optional);
    w.U8(m.identity.has_value() | m.in_place << 1);
    w.U64(m.identity ? m.identity->dev : 0);
    w.U64(m.identity ? m.identity->ino : 0);
  }
  w.U8(plan.hostname.has_value());
  w.Str(plan.hostname.value_or(""));
  w.U8(plan.chdir.has_value());
  w.Str(plan.chdir.value_or(""));
  w.U8(plan.uid.has_value());
  w.U32(plan.uid.value_or(0));
  w.U8(plan.gid.has_value());
  w.U32(plan.gid.value_or(0));
  w.U32(static_cast<uint32_t>(plan.rlimits.size()));
  for (const Rlimit& r : plan.rlimits) {
    w.Str(r.name);
    w.U32(static_cast<uint32_t>(r.resource));
    w.U64(r.soft);
    w.U64(r.hard);
  }
  w.U8(plan.clear_env);
  w.U32(static_cast<uint32_t>(plan.env.size()));
  for (const EnvOp& e : plan.env) {
    w.U8(static_cast<uint8_t>(e.kind));
    w.Str(e.name);
    w.Str(e.value);
  }
  w.U32(static_cast<uint32_t>(plan.fds.size()));
  for (const FdMapping& f : plan.fds) {
    w.Str(f.name);
    w.U32(static_cast<uint32_t>(f.fd));
  }
  const SeccompPlan& s = plan.seccomp;
  w.U8(s.enabled);
  w.U8(s.before_load);
  w.U32(s.arch);
  WritePolicy(w, s.policy, /*with_locs=*/true);
  w.U32(static_cast<uint32_t>(s.program.size()));
  for (const sock_filter& insn : s.program) {
    w.U16(insn.code);
    w.U8(insn.jt);
    w.U8(insn.jf);
    w.U32(insn.k);
  }
  w.U8(static_cast<uint8_t>(plan.landlock.mode));
  w.U32(plan.landlock.min_abi);
  w.U32(static_cast<uint32_t>(plan.warnings.size()));
  for (const std::string& warning : plan.warnings) w.Str(warning);
}

bool ReadBool(ByteReader& r, bool* out) {
  uint8_t v = r.U8();
  if (v > 1) return false;
  *out = v;
  return r.ok();
}

bool ReadPayload(ByteReader& r, Plan* plan) {
  uint8_t bits = r.U8();
  if (bits >> 7) return false;
  plan->namespaces = {bool(bits & 1),  bool(bits & 2),  bool(bits & 4), bool(bits & 8),
                      bool(bits & 16), bool(bits & 32), bool(bits & 64)};
  uint32_t mounts = r.Count(kMaxItems);
  for (uint32_t i = 0; i < mounts && r.ok(); ++i) {
    Mount m;
    uint8_t kind = r.U8();
    if (kind > static_cast<uint8_t>(MountKind::kTmpfs)) return false;
    m.kind = static_cast<MountKind>(kind);
    m.source = r.Str(4096);
    m.destination = r.Str(4096);
    if (!ReadBool(r, &m.optional)) return false;
    const uint8_t source_bits = r.U8();
    if (source_bits >> 2) return false;
    SourceIdentity identity;
    identity.dev = r.U64();
    identity.ino = r.U64();
    if (source_bits & 1) m.identity = identity;
    m.in_place = source_bits & 2;
    plan->mounts.push_back(std::move(m));
  }
  bool has = false;
  if (!ReadBool(r, &has)) return false;
  std::string hostname = r.Str(64);
  if (has) plan->hostname = hostname;
  if (!ReadBool(r, &has)) return false;
  std::string chdir = r.Str(4096);
  if (has) plan->chdir = chdir;
  if (!ReadBool(r, &has)) return false;
  uint32_t uid = r.U32();
  if (has) plan->uid = uid;
  if (!ReadBool(r, &has)) return false;
  uint32_t gid = r.U32();
  if (has) plan->gid = gid;
  uint32_t rlimits = r.Count(64);
  for (uint32_t i = 0; i < rlimits && r.ok(); ++i) {
    Rlimit limit;
    limit.name = r.Str(32);
    limit.resource = static_cast<int>(r.U32());
    limit.soft = r.U64();
    limit.hard = r.U64();
    plan->rlimits.push_back(std::move(limit));
  }
  if (!ReadBool(r, &plan->clear_env)) return false;
  uint32_t env = r.Count(kMaxItems);
  for (uint32_t i = 0; i < env && r.ok(); ++i) {
    EnvOp op;
    uint8_t kind = r.U8();
    if (kind > static_cast<uint8_t>(EnvOpKind::kUnset)) return false;
    op.kind = static_cast<EnvOpKind>(kind);
    op.name = r.Str();
    op.value = r.Str();
    plan->env.push_back(std::move(op));
  }
  uint32_t fds = r.Count(kMaxItems);
  for (uint32_t i = 0; i < fds && r.ok(); ++i) {
    FdMapping f;
    f.name = r.Str(256);
    uint32_t fd = r.U32();
    if (fd > 0x7fffffff) return false;
    f.fd = static_cast<int>(fd);
    plan->fds.push_back(std::move(f));
  }
  SeccompPlan& s = plan->seccomp;
  if (!ReadBool(r, &s.enabled) || !ReadBool(r, &s.before_load)) return false;
  s.arch = r.U32();
  if (!ReadPolicy(r, &s.policy)) return false;
  uint32_t insns = r.Count(BPF_MAXINSNS);
  for (uint32_t i = 0; i < insns && r.ok(); ++i) {
    sock_filter insn;
    insn.code = r.U16();
    insn.jt = r.U8();
    insn.jf = r.U8();
    insn.k = r.U32();
    s.program.push_back(insn);
  }
  if (s.enabled && s.program.empty()) return false;  // an enabled filter must have a program
  const uint8_t landlock_mode = r.U8();
  if (landlock_mode > static_cast<uint8_t>(LandlockMode::kRequired)) return false;
  plan->landlock.mode = static_cast<LandlockMode>(landlock_mode);
  plan->landlock.min_abi = r.U32();
  if (plan->landlock.min_abi > kMaxLandlockAbi) return false;
  uint32_t warnings = r.Count(kMaxItems);
  for (uint32_t i = 0; i < warnings && r.ok(); ++i) plan->warnings.push_back(r.Str());
  return r.ok();
}

}  // namespace

std::string SerializePlan(const Plan& plan) {
  ByteWriter payload;
  WritePayload(payload, plan);
  ByteWriter out;
  out.Raw(kMagic);
  out.U32(kPlanFormatVersion);
  out.U32(static_cast<uint32_t>(payload.bytes().size()));
  out.Raw(payload.bytes());
  return out.bytes();
}

base::StatusOr<Plan> DeserializePlan(std::string_view bytes) {
  auto bad = [](const std::string& why) {
    return base::Error(base::Code::kInvalidArgument, "malformed plan: " + why);
  };
  if (bytes.size() < 16 || bytes.substr(0, 8) != kMagic) return bad("no plan header");
  ByteReader header(bytes.substr(8, 8));
  uint32_t version = header.U32();
  uint32_t length = header.U32();
  if (version != kPlanFormatVersion) {
    return bad("format version " + std::to_string(version) + ", expected " +
               std::to_string(kPlanFormatVersion));
  }
  if (length > kMaxPayload || length != bytes.size() - 16) return bad("length mismatch");
  ByteReader r(bytes.substr(16));
  Plan plan;
  if (!ReadPayload(r, &plan) || !r.at_end()) return bad("bad or truncated field");
  return plan;
}

std::string CanonicalSeccompPolicy(const SeccompPolicy& policy) {
  ByteWriter w;
  WritePolicy(w, policy, /*with_locs=*/false);
  return w.bytes();
}

}  // namespace ncp::policy
