#include "policy/oci_seccomp.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/unique_fd.h"
#include "policy/syscall_names.h"

namespace ncp::policy {
namespace {

using nlohmann::json;

constexpr size_t kMaxJsonBytes = 4 << 20;

// Docker's names for architectures in includes/excludes.arches.
std::string DockerArchName(uint32_t arch) {
  switch (arch) {
    case SCMP_ARCH_X86_64:
      return "amd64";
    case SCMP_ARCH_X86:
      return "x86";
    case SCMP_ARCH_X32:
      return "x32";
    case SCMP_ARCH_AARCH64:
      return "arm64";
    case SCMP_ARCH_ARM:
      return "arm";
    case SCMP_ARCH_PPC64LE:
      return "ppc64le";
    case SCMP_ARCH_S390X:
      return "s390x";
    case SCMP_ARCH_RISCV64:
      return "riscv64";
    default:
      return "";
  }
}

base::Status Bad(const std::string& message) {
  return base::Error(base::Code::kInvalidArgument, message);
}

bool ParseOciAction(const std::string& name, int errno_ret, SeccompAction* out) {
  if (name == "SCMP_ACT_ALLOW")
    *out = {SeccompActionKind::kAllow, 0};
  else if (name == "SCMP_ACT_ERRNO")
    *out = {SeccompActionKind::kErrno, errno_ret};
  else if (name == "SCMP_ACT_KILL_PROCESS")
    *out = {SeccompActionKind::kKillProcess, 0};
  // libseccomp's SCMP_ACT_KILL is the thread-killing action.
  else if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") {
    *out = {SeccompActionKind::kKillThread, 0};
  } else if (name == "SCMP_ACT_TRAP")
    *out = {SeccompActionKind::kTrap, 0};
  else if (name == "SCMP_ACT_LOG")
    *out = {SeccompActionKind::kLog, 0};
  else
    return false;  // TRACE and NOTIFY need a supervisor ncp does not have
  return true;
}

bool ParseOciOp(const std::string& name, ArgOp* op) {
  static const std::pair<const char*, ArgOp> kOps[] = {
      {"SCMP_CMP_EQ", ArgOp::kEq},
      {"SCMP_CMP_NE", ArgOp::kNe},
      {"SCMP_CMP_LT", ArgOp::kLt},
      {"SCMP_CMP_LE", ArgOp::kLe},
      {"SCMP_CMP_GT", ArgOp::kGt},
      {"SCMP_CMP_GE", ArgOp::kGe},
      {"SCMP_CMP_MASKED_EQ", ArgOp::kMaskedEq},
  };
  for (const auto& [text, value] : kOps) {
    if (name == text) {
      *op = value;
      return true;
    }
  }
  return false;
}

bool ContainsString(const json& list, const std::string& value) {
  if (!list.is_array()) return false;
  for (const json& item : list) {
    if (item.is_string() && item.get<std::string>() == value) return true;
  }
  return false;
}

bool NonEmptyArray(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_array() &&
         !object[key].empty();
}

bool KernelAtLeast(const std::string& version, const OciContext& context) {
  int major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) < 1) return true;
  return context.kernel_major > major ||
         (context.kernel_major == major && context.kernel_minor >= minor);
}

// Docker resolves includes/excludes before handing the profile to runc; so do we, for a
// child with no capabilities on `context.arch`.
bool RuleApplies(const json& entry, const OciContext& context) {
  const std::string arch = DockerArchName(context.arch);
  if (entry.contains("includes")) {
    const json& inc = entry["includes"];
    if (NonEmptyArray(inc, "caps")) return false;
    if (NonEmptyArray(inc, "arches") && !ContainsString(inc["arches"], arch)) return false;
    if (inc.is_object() && inc.contains("minKernel") && inc["minKernel"].is_string() &&
        !KernelAtLeast(inc["minKernel"].get<std::string>(), context)) {
      return false;
    }
  }
  if (entry.contains("excludes")) {
    const json& exc = entry["excludes"];
    if (NonEmptyArray(exc, "arches") && ContainsString(exc["arches"], arch)) return false;
  }
  return true;
}

base::Status ParseArgs(const json& args, const std::string& where, std::vector<ArgCondition>* out) {
  if (args.is_null()) return base::Status::Ok();
  if (!args.is_array()) return Bad(where + ".args must be an array");
  for (size_t i = 0; i < args.size(); ++i) {
    const json& a = args[i];
    std::string at = where + ".args[" + std::to_string(i) + "]";
    if (!a.is_object() || !a.contains("index") || !a["index"].is_number_unsigned() ||
        !a.contains("value") || !a["value"].is_number_unsigned() || !a.contains("op") ||
        !a["op"].is_string()) {
      return Bad(at + " needs unsigned 'index', 'value' and a string 'op'");
    }
    ArgCondition c;
    uint64_t index = a["index"].get<uint64_t>();
    if (index > 5) return Bad(at + ".index must be 0..5");
    c.arg = static_cast<uint8_t>(index);
    if (!ParseOciOp(a["op"].get<std::string>(), &c.op)) {
      return Bad(at + ": unsupported op '" + a["op"].get<std::string>() + "'");
    }
    c.value = a["value"].get<uint64_t>();
    if (c.op == ArgOp::kMaskedEq) {
      c.mask = c.value;
      c.value = a.contains("valueTwo") && a["valueTwo"].is_number_unsigned()
                    ? a["valueTwo"].get<uint64_t>()
                    : 0;
    }
    out->push_back(c);
  }
  return base::Status::Ok();
}

base::StatusOr<OciSeccomp> ParseDocument(const json& doc, const OciContext& context) {
  if (!doc.is_object()) return Bad("the top level must be an object");
  if (!doc.contains("defaultAction") || !doc["defaultAction"].is_string()) {
    return Bad("'defaultAction' (a string) is required");
  }
  int default_errno = EPERM;
  if (doc.contains("defaultErrnoRet")) {
    if (!doc["defaultErrnoRet"].is_number_unsigned() ||
        doc["defaultErrnoRet"].get<uint64_t>() > 4095) {
      return Bad("bad 'defaultErrnoRet'");
    }
    default_errno = doc["defaultErrnoRet"].get<int>();
  }
  OciSeccomp out;
  if (!ParseOciAction(doc["defaultAction"].get<std::string>(), default_errno,
                      &out.default_action)) {
    return Bad("unsupported defaultAction '" + doc["defaultAction"].get<std::string>() + "'");
  }
  if (doc.contains("architectures") && !doc["architectures"].is_array() &&
      !doc["architectures"].is_null()) {
    return Bad("'architectures' must be an array");
  }
  if (doc.contains("archMap") && !doc["archMap"].is_array() && !doc["archMap"].is_null()) {
    return Bad("'archMap' must be an array");
  }
  if (!doc.contains("syscalls")) return out;
  const json& syscalls = doc["syscalls"];
  if (!syscalls.is_array()) return Bad("'syscalls' must be an array");
  for (size_t i = 0; i < syscalls.size(); ++i) {
    const json& entry = syscalls[i];
    std::string where = "syscalls[" + std::to_string(i) + "]";
    if (!entry.is_object()) return Bad(where + " must be an object");
    std::vector<std::string> names;
    if (entry.contains("names") && entry["names"].is_array()) {
      for (const json& n : entry["names"]) {
        if (!n.is_string()) return Bad(where + ".names must hold strings");
        names.push_back(n.get<std::string>());
      }
    } else if (entry.contains("name") && entry["name"].is_string()) {
      names.push_back(entry["name"].get<std::string>());
    }
    if (names.empty()) return Bad(where + " needs a non-empty 'names' array");
    if (!entry.contains("action") || !entry["action"].is_string()) {
      return Bad(where + " needs an 'action' string");
    }
    int errno_ret = default_errno;
    if (entry.contains("errnoRet")) {
      if (!entry["errnoRet"].is_number_unsigned() || entry["errnoRet"].get<uint64_t>() > 4095) {
        return Bad(where + ": bad 'errnoRet'");
      }
      errno_ret = entry["errnoRet"].get<int>();
    }
    SeccompAction action;
    if (!ParseOciAction(entry["action"].get<std::string>(), errno_ret, &action)) {
      return Bad(where + ": unsupported action '" + entry["action"].get<std::string>() + "'");
    }
    std::vector<ArgCondition> conditions;
    base::Status status =
        ParseArgs(entry.contains("args") ? entry["args"] : json(), where, &conditions);
    if (!status.ok()) return status;
    if (!RuleApplies(entry, context)) continue;
    for (const std::string& name : names) {
      out.rules.push_back({name, -1, action, conditions, {}});
    }
  }
  return out;
}

}  // namespace

OciContext HostOciContext() {
  OciContext context;
  context.arch = NativeArch();
  struct utsname uts;
  if (::uname(&uts) == 0) {
    std::sscanf(uts.release, "%d.%d", &context.kernel_major, &context.kernel_minor);
  }
  return context;
}

base::StatusOr<OciSeccomp> ParseOciSeccomp(std::string_view text, const OciContext& context) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Bad("not valid JSON");
  try {
    return ParseDocument(doc, context);
  } catch (const json::exception& e) {  // a type the checks above did not foresee
    return Bad(std::string("unexpected JSON content: ") + e.what());
  }
}

base::StatusOr<OciSeccomp> LoadOciSeccomp(const std::string& path, const OciContext& context) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0) return base::ErrnoError("cannot open");
  if (!S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) > kMaxJsonBytes) {
    return Bad("not a regular file of at most 4 MiB");
  }
  std::string text(st.st_size, '\0');
  if (::pread(fd.get(), text.data(), text.size(), 0) != st.st_size) {
    return base::ErrnoError("cannot read");
  }
  return ParseOciSeccomp(text, context);
}

}  // namespace ncp::policy
