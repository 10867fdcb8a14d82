#include "policy/seccomp_syntax.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace ncp::policy {
namespace {

struct NamedValue {
  const char* name;
  uint64_t value;
};

// Names a profile may use as condition values: what the shipped profiles need to restrict
// socket families, personality, ioctl requests and prctl options, plus close relatives.
constexpr NamedValue kConstants[] = {
    {"AF_UNIX", AF_UNIX},
    {"AF_LOCAL", AF_LOCAL},
    {"AF_INET", AF_INET},
    {"AF_INET6", AF_INET6},
    {"AF_NETLINK", AF_NETLINK},
    {"AF_PACKET", AF_PACKET},
    {"AF_ALG", AF_ALG},
    {"AF_VSOCK", AF_VSOCK},
    {"TCGETS", TCGETS},
    {"TCSETS", TCSETS},
    {"TIOCGWINSZ", TIOCGWINSZ},
    {"TIOCSWINSZ", TIOCSWINSZ},
    {"TIOCSTI", TIOCSTI},
    {"TIOCLINUX", TIOCLINUX},
    {"FIONREAD", FIONREAD},
    {"FIONBIO", FIONBIO},
    {"FIOCLEX", FIOCLEX},
    {"FIONCLEX", FIONCLEX},
    {"PER_LINUX", 0},
    {"PER_QUERY", 0xffffffff},
    {"PR_SET_NAME", PR_SET_NAME},
    {"PR_GET_NAME", PR_GET_NAME},
    {"PR_SET_PDEATHSIG", PR_SET_PDEATHSIG},
    {"PR_GET_DUMPABLE", PR_GET_DUMPABLE},
    {"PR_SET_DUMPABLE", PR_SET_DUMPABLE},
    {"PR_SET_VMA", 0x53564d41},
    {"PR_GET_SECCOMP", PR_GET_SECCOMP},
    {"PR_SET_NO_NEW_PRIVS", PR_SET_NO_NEW_PRIVS},
};

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

std::optional<uint64_t> ParseNumber(std::string_view text) {
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    base = 16;
    text.remove_prefix(2);
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParseValue(std::string_view text) {
  if (auto number = ParseNumber(text)) return number;
  for (const NamedValue& constant : kConstants) {
    if (text == constant.name) return constant.value;
  }
  return std::nullopt;
}

// Splits "arg1 & 0xffff == TIOCSTI" into words and operators.
std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
        ++i;
      }
      tokens.emplace_back(text.substr(start, i - start));
    } else if (i + 1 < text.size() && text[i + 1] == '=' && std::strchr("=!<>", c)) {
      tokens.emplace_back(text.substr(i, 2));
      i += 2;
    } else {
      tokens.emplace_back(1, c);
      ++i;
    }
  }
  return tokens;
}

std::optional<ArgOp> ParseOp(const std::string& token) {
  if (token == "==") return ArgOp::kEq;
  if (token == "!=") return ArgOp::kNe;
  if (token == "<") return ArgOp::kLt;
  if (token == "<=") return ArgOp::kLe;
  if (token == ">") return ArgOp::kGt;
  if (token == ">=") return ArgOp::kGe;
  return std::nullopt;
}

// "argN [& MASK] OP VALUE"
bool ParseCondition(std::string_view text, ArgCondition* out, std::string* error) {
  std::vector<std::string> t = Tokenize(text);
  auto fail = [&](const std::string& why) {
    *error = "bad condition '" + std::string(Trim(text)) + "': " + why;
    return false;
  };
  if (t.empty() || t[0].size() != 4 || !t[0].starts_with("arg") || t[0][3] < '0' || t[0][3] > '5') {
    return fail("expected arg0..arg5 first");
  }
  out->arg = static_cast<uint8_t>(t[0][3] - '0');
  size_t pos = 1;
  std::optional<uint64_t> mask;
  if (pos < t.size() && t[pos] == "&") {
    if (pos + 1 >= t.size() || !(mask = ParseValue(t[pos + 1]))) return fail("bad mask");
    pos += 2;
  }
  if (pos + 2 != t.size()) return fail("expected 'argN [& MASK] OP VALUE'");
  std::optional<ArgOp> op = ParseOp(t[pos]);
  if (!op) return fail("unknown operator '" + t[pos] + "'");
  std::optional<uint64_t> value = ParseValue(t[pos + 1]);
  if (!value) return fail("unknown value '" + t[pos + 1] + "'");
  if (mask) {
    // libseccomp has no masked "!=" or ordering; list the allowed values instead.
    if (*op != ArgOp::kEq) return fail("a mask only works with ==");
    out->op = ArgOp::kMaskedEq;
    out->mask = *mask;
  } else {
    out->op = *op;
    out->mask = 0;
  }
  out->value = *value;
  return true;
}

bool ParseItem(std::string_view text, RuleItem* item, std::string* error) {
  text = Trim(text);
  size_t colon = text.rfind(':');
  size_t close = text.rfind(')');
  if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
    std::string_view errno_text = Trim(text.substr(colon + 1));
    item->errno_value = ParseErrno(errno_text);
    if (!item->errno_value) {
      *error = "unknown errno '" + std::string(errno_text) + "' in '" + std::string(text) + "'";
      return false;
    }
    text = Trim(text.substr(0, colon));
  }
  size_t open = text.find('(');
  std::string_view target = Trim(text.substr(0, open));
  if (target.empty() || target.find_first_of(" \t()") != std::string_view::npos) {
    *error = "bad syscall name '" + std::string(text) + "'";
    return false;
  }
  item->target = std::string(target);
  if (open == std::string_view::npos) return true;
  if (text.back() != ')') {
    *error = "missing ')' in '" + std::string(text) + "'";
    return false;
  }
  if (target.front() == '@') {
    *error = "conditions apply to one syscall, not to the group '" + item->target + "'";
    return false;
  }
  std::string_view conditions = text.substr(open + 1, text.size() - open - 2);
  while (true) {
    size_t amp = conditions.find("&&");
    ArgCondition condition;
    if (!ParseCondition(conditions.substr(0, amp), &condition, error)) return false;
    item->conditions.push_back(condition);
    if (amp == std::string_view::npos) break;
    conditions.remove_prefix(amp + 2);
  }
  return true;
}

const char* OpText(ArgOp op) {
  switch (op) {
    case ArgOp::kEq:
      return "==";
    case ArgOp::kNe:
      return "!=";
    case ArgOp::kLt:
      return "<";
    case ArgOp::kLe:
      return "<=";
    case ArgOp::kGt:
      return ">";
    case ArgOp::kGe:
      return ">=";
    case ArgOp::kMaskedEq:
      return "==";
  }
  return "?";
}

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::optional<SeccompAction> ParseAction(std::string_view text, std::string* error) {
  text = Trim(text);
  if (text == "allow") return SeccompAction{SeccompActionKind::kAllow, 0};
  if (text == "kill" || text == "kill-process") {
    return SeccompAction{SeccompActionKind::kKillProcess, 0};
  }
  if (text == "kill-thread") return SeccompAction{SeccompActionKind::kKillThread, 0};
  if (text == "trap") return SeccompAction{SeccompActionKind::kTrap, 0};
  if (text == "log") return SeccompAction{SeccompActionKind::kLog, 0};
  if (text == "errno") return SeccompAction{SeccompActionKind::kErrno, EPERM};
  if (text.starts_with("errno:")) {
    if (auto value = ParseErrno(text.substr(6))) {
      return SeccompAction{SeccompActionKind::kErrno, *value};
    }
    *error = "unknown errno '" + std::string(text.substr(6)) + "'";
    return std::nullopt;
  }
  *error = "unknown action '" + std::string(text) +
           "' (expected allow, errno[:N], kill-process, kill-thread, trap or log)";
  return std::nullopt;
}

std::optional<int> ParseErrno(std::string_view text) {
  text = Trim(text);
  if (auto number = ParseNumber(text)) {
    if (*number >= 1 && *number <= 4095) return static_cast<int>(*number);
    return std::nullopt;
  }
  for (int value = 1; value < 4096; ++value) {
    const char* name = strerrorname_np(value);
    if (name != nullptr && text == name) return value;
  }
  return std::nullopt;
}

std::string ErrnoName(int value) {
  const char* name = strerrorname_np(value);
  return name != nullptr ? name : std::to_string(value);
}

std::string ActionToString(const SeccompAction& action) {
  switch (action.kind) {
    case SeccompActionKind::kAllow:
      return "allow";
    case SeccompActionKind::kErrno:
      return "errno:" + ErrnoName(action.errno_value);
    case SeccompActionKind::kKillProcess:
      return "kill-process";
    case SeccompActionKind::kKillThread:
      return "kill-thread";
    case SeccompActionKind::kTrap:
      return "trap";
    case SeccompActionKind::kLog:
      return "log";
    case SeccompActionKind::kNotify:
      return "notify";
  }
  return "?";
}

bool ParseRuleList(std::string_view text, std::vector<RuleItem>* items, std::string* error) {
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ',';
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c != ',' || depth > 0) continue;
    std::string_view piece = Trim(text.substr(start, i - start));
    start = i + 1;
    if (piece.empty()) {
      *error = "empty item in '" + std::string(text) + "'";
      return false;
    }
    RuleItem item;
    if (!ParseItem(piece, &item, error)) return false;
    items->push_back(std::move(item));
  }
  if (depth != 0) {
    *error = "unbalanced parentheses in '" + std::string(text) + "'";
    return false;
  }
  return true;
}

std::string ConditionsToString(const std::vector<ArgCondition>& conditions) {
  std::string out;
  for (const ArgCondition& c : conditions) {
    if (!out.empty()) out += " && ";
    out += "arg" + std::to_string(c.arg);
    if (c.op == ArgOp::kMaskedEq) out += " & " + Hex(c.mask);
    out += std::string(" ") + OpText(c.op) + " " + Hex(c.value);
  }
  return out;
}

}  // namespace ncp::policy
