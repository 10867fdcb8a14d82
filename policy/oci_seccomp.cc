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
// Docker's files nest 6 deep; the bound keeps a hostile file from building a tree so deep
// that copying or destroying it recurses off the stack.
constexpr int kMaxJsonDepth = 32;
// A BPF program holds at most 4096 instructions: these many rules can never compile.
constexpr size_t kMaxOciConditionalRules = 1000;
constexpr size_t kMaxOciRules = 10000;

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

// Type checks: a field of the wrong type is an error that names it, never a silent default.
base::Status CheckString(const json& object, const char* key, const std::string& where) {
  if (!object.contains(key) || object[key].is_string()) return base::Status::Ok();
  return Bad(where + "." + key + " must be a string");
}

base::Status CheckStringArray(const json& object, const char* key, const std::string& where) {
  if (!object.contains(key) || object[key].is_null()) return base::Status::Ok();
  const json& list = object[key];
  if (!list.is_array()) return Bad(where + "." + key + " must be an array of strings");
  for (const json& item : list) {
    if (!item.is_string()) return Bad(where + "." + key + " must be an array of strings");
  }
  return base::Status::Ok();
}

// An unsigned integer in [0, max], or absent.
base::Status CheckUnsigned(const json& object, const char* key, uint64_t max,
                           const std::string& where) {
  if (!object.contains(key)) return base::Status::Ok();
  const json& value = object[key];
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
    return Bad(where + "." + key + " must be an unsigned integer");
  }
  if (value.get<uint64_t>() > max) {
    return Bad(where + "." + key + " must be at most " + std::to_string(max));
  }
  return base::Status::Ok();
}

bool ParseKernelVersion(const std::string& text, int* major, int* minor) {
  char extra = 0;
  *minor = 0;
  const int n = std::sscanf(text.c_str(), "%d.%d%c", major, minor, &extra);
  return (n == 1 || n == 2) && *major >= 0 && *minor >= 0;
}

// includes / excludes: an object with optional caps, arches (string arrays), minKernel.
base::Status CheckFilter(const json& entry, const char* key, const std::string& where) {
  if (!entry.contains(key) || entry[key].is_null()) return base::Status::Ok();
  const json& filter = entry[key];
  const std::string at = where + "." + key;
  if (!filter.is_object()) return Bad(at + " must be an object");
  for (const char* list : {"caps", "arches"}) {
    if (base::Status s = CheckStringArray(filter, list, at); !s.ok()) return s;
  }
  if (base::Status s = CheckString(filter, "minKernel", at); !s.ok()) return s;
  int major = 0, minor = 0;
  if (filter.contains("minKernel") &&
      !ParseKernelVersion(filter["minKernel"].get<std::string>(), &major, &minor)) {
    return Bad(at + ".minKernel must be a kernel version like \"5.8\"");
  }
  return base::Status::Ok();
}

bool KernelAtLeast(const std::string& version, const OciContext& context) {
  int major = 0, minor = 0;
  ParseKernelVersion(version, &major, &minor);  // checked by CheckFilter
  return context.kernel_major > major ||
         (context.kernel_major == major && context.kernel_minor >= minor);
}

// Docker resolves includes/excludes before handing the profile to runc; so do we, for a
// child with no capabilities on `context.arch`.
bool RuleApplies(const json& entry, const OciContext& context) {
  const std::string arch = DockerArchName(context.arch);
  if (entry.contains("includes") && entry["includes"].is_object()) {
    const json& inc = entry["includes"];
    if (NonEmptyArray(inc, "caps")) return false;
    if (NonEmptyArray(inc, "arches") && !ContainsString(inc["arches"], arch)) return false;
    if (inc.contains("minKernel") && !KernelAtLeast(inc["minKernel"].get<std::string>(), context)) {
      return false;
    }
  }
  if (entry.contains("excludes") && entry["excludes"].is_object()) {
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
    if (!a.is_object() || !a.contains("index") || !a.contains("value") || !a.contains("op")) {
      return Bad(at + " needs 'index', 'value' and 'op'");
    }
    if (base::Status s = CheckUnsigned(a, "index", 5, at); !s.ok()) return s;
    for (const char* key : {"value", "valueTwo"}) {
      if (base::Status s = CheckUnsigned(a, key, UINT64_MAX, at); !s.ok()) return s;
    }
    if (base::Status s = CheckString(a, "op", at); !s.ok()) return s;
    ArgCondition c;
    c.arg = static_cast<uint8_t>(a["index"].get<uint64_t>());
    if (!ParseOciOp(a["op"].get<std::string>(), &c.op)) {
      return Bad(at + ": unsupported op '" + a["op"].get<std::string>() + "'");
    }
    c.value = a["value"].get<uint64_t>();
    if (c.op == ArgOp::kMaskedEq) {
      c.mask = c.value;
      c.value = a.contains("valueTwo") ? a["valueTwo"].get<uint64_t>() : 0;
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
  const std::string top = "the document";
  if (base::Status s = CheckUnsigned(doc, "defaultErrnoRet", 4095, top); !s.ok()) return s;
  for (const char* key : {"architectures", "flags"}) {
    if (base::Status s = CheckStringArray(doc, key, top); !s.ok()) return s;
  }
  for (const char* key : {"listenerPath", "listenerMetadata"}) {
    if (base::Status s = CheckString(doc, key, top); !s.ok()) return s;
  }
  int default_errno = EPERM;
  if (doc.contains("defaultErrnoRet")) default_errno = doc["defaultErrnoRet"].get<int>();
  OciSeccomp out;
  if (!ParseOciAction(doc["defaultAction"].get<std::string>(), default_errno,
                      &out.default_action)) {
    return Bad("unsupported defaultAction '" + doc["defaultAction"].get<std::string>() + "'");
  }
  if (doc.contains("archMap") && !doc["archMap"].is_array() && !doc["archMap"].is_null()) {
    return Bad("'archMap' must be an array");
  }
  if (!doc.contains("syscalls") || doc["syscalls"].is_null()) return out;
  const json& syscalls = doc["syscalls"];
  if (!syscalls.is_array()) return Bad("'syscalls' must be an array");
  size_t conditional_rules = 0;
  for (size_t i = 0; i < syscalls.size(); ++i) {
    const json& entry = syscalls[i];
    std::string where = "syscalls[" + std::to_string(i) + "]";
    if (!entry.is_object()) return Bad(where + " must be an object");
    for (const char* key : {"name", "action", "comment"}) {
      if (base::Status s = CheckString(entry, key, where); !s.ok()) return s;
    }
    if (base::Status s = CheckStringArray(entry, "names", where); !s.ok()) return s;
    if (base::Status s = CheckUnsigned(entry, "errnoRet", 4095, where); !s.ok()) return s;
    for (const char* key : {"includes", "excludes"}) {
      if (base::Status s = CheckFilter(entry, key, where); !s.ok()) return s;
    }
    std::vector<std::string> names;
    if (entry.contains("names") && entry["names"].is_array()) {
      for (const json& n : entry["names"]) names.push_back(n.get<std::string>());
    } else if (entry.contains("name")) {
      names.push_back(entry["name"].get<std::string>());
    }
    if (names.empty()) return Bad(where + " needs a non-empty 'names' array");
    if (!entry.contains("action")) return Bad(where + " needs an 'action' string");
    int errno_ret = default_errno;
    if (entry.contains("errnoRet")) errno_ret = entry["errnoRet"].get<int>();
    SeccompAction action;
    if (!ParseOciAction(entry["action"].get<std::string>(), errno_ret, &action)) {
      return Bad(where + ": unsupported action '" + entry["action"].get<std::string>() + "'");
    }
    std::vector<ArgCondition> conditions;
    base::Status status =
        ParseArgs(entry.contains("args") ? entry["args"] : json(), where, &conditions);
    if (!status.ok()) return status;
    if (!RuleApplies(entry, context)) continue;
    // Counted as they come, so a huge file is refused at its first rule over the limit.
    if (!conditions.empty()) conditional_rules += names.size();
    if (conditional_rules > kMaxOciConditionalRules ||
        out.rules.size() + names.size() > kMaxOciRules) {
      return Bad(where + ": more than " +
                 std::to_string(conditional_rules > kMaxOciConditionalRules
                                    ? kMaxOciConditionalRules
                                    : kMaxOciRules) +
                 (conditional_rules > kMaxOciConditionalRules ? " conditional" : "") +
                 " rules: no filter that large fits in a BPF program");
    }
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
  // The callback sees each value's depth while parsing; values below the bound are discarded
  // as they come, so no deep tree is ever built.
  bool too_deep = false;
  json::parser_callback_t bound_depth = [&too_deep](int depth, json::parse_event_t, json&) {
    if (depth <= kMaxJsonDepth) return true;
    too_deep = true;
    return false;
  };
  json doc = json::parse(text, bound_depth, /*allow_exceptions=*/false);
  if (too_deep) return Bad("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  if (doc.is_discarded()) return Bad("not valid JSON");
  try {
    return ParseDocument(doc, context);
  } catch (const json::exception& e) {  // a type the checks above did not foresee
    return Bad(std::string("unexpected JSON content: ") + e.what());
  }
}

base::StatusOr<OciSeccomp> LoadOciSeccomp(const std::string& path, const OciContext& context) {
  // Non-blocking: a FIFO is refused below instead of waiting for a writer forever.
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
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
