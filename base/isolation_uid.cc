#include "base/isolation_uid.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string_view>

namespace ncp::base {
namespace {

std::optional<uint32_t> ParseId(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct SubordinateRange {
  uint32_t first = 0;
  uint32_t count = 0;
};

// The first "NAME:START:COUNT" line for `name` or the numeric `id` with COUNT >= 1 (shadow's
// format; names and numbers both occur in practice).
std::optional<SubordinateRange> FirstSubordinateRange(const char* file, const std::string& name,
                                                      uint32_t id) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find(':');
    const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string owner = line.substr(0, a);
    if (owner != name && owner != std::to_string(id)) continue;
    const std::optional<uint32_t> start = ParseId(std::string_view(line).substr(a + 1, b - a - 1));
    const std::optional<uint32_t> count = ParseId(std::string_view(line).substr(b + 1));
    if (start && count && *count >= 1) return SubordinateRange{*start, *count};
  }
  return std::nullopt;
}

std::optional<uint32_t> FirstSubordinateId(const char* file, const std::string& name, uint32_t id) {
  std::optional<SubordinateRange> range = FirstSubordinateRange(file, name, id);
  if (!range) return std::nullopt;
  return range->first;
}

// Ids 0 and 4294967295 (-1, "no id") never belong to a sandbox; a range ends below the latter.
bool SafeRange(uint32_t first, uint32_t count) {
  return first != 0 && count != 0 && uint64_t{first} + count <= 0xFFFFFFFFull;
}

StatusOr<HostIdRange> RangeFromVariable(const char* text) {
  const std::string_view value(text);
  const size_t colon = value.find(':');
  const std::optional<uint32_t> first =
      colon == std::string_view::npos ? std::nullopt : ParseId(value.substr(0, colon));
  const std::optional<uint32_t> count =
      colon == std::string_view::npos ? std::nullopt : ParseId(value.substr(colon + 1));
  if (!first || !count || !SafeRange(*first, *count)) {
    return Error(Code::kInvalidArgument,
                 std::string(kHostIdRangeVariable) +
                     " must be FIRST:COUNT with FIRST > 0 and COUNT > 0, below 4294967295");
  }
  return HostIdRange{*first, *first, *count, std::string("$") + kHostIdRangeVariable};
}

std::string FindHelper(const char* name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/", "/usr/sbin/"}) {
    std::string path = std::string(dir) + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

std::string UserName(uid_t uid) {
  passwd pw{};
  passwd* result = nullptr;
  char buffer[1024];
  if (getpwuid_r(uid, &pw, buffer, sizeof(buffer), &result) != 0 || result == nullptr) return "";
  return pw.pw_name;
}

}  // namespace

StatusOr<HostIdRange> RootHostIdRange() {
  const char* variable = getenv(kHostIdRangeVariable);
  if (variable != nullptr && *variable != '\0') return RangeFromVariable(variable);
  std::optional<SubordinateRange> uids = FirstSubordinateRange("/etc/subuid", "root", 0);
  std::optional<SubordinateRange> gids = FirstSubordinateRange("/etc/subgid", "root", 0);
  // A range that holds id 0 would hand a sandbox host root again.
  if (uids && !SafeRange(uids->first, uids->count)) uids.reset();
  if (gids && !SafeRange(gids->first, gids->count)) gids.reset();
  const SubordinateRange fallback{kFallbackIsolationId, kFallbackIsolationCount};
  HostIdRange range;
  range.first_uid = uids.value_or(fallback).first;
  range.first_gid = gids.value_or(fallback).first;
  range.count = std::min(uids.value_or(fallback).count, gids.value_or(fallback).count);
  if (uids && gids) {
    range.source = "root's range in /etc/subuid and /etc/subgid";
  } else if (!uids && !gids) {
    range.source = "the built-in range (/etc/subuid and /etc/subgid have none for root)";
  } else {
    range.source = uids ? "root's range in /etc/subuid, the built-in gids (none in /etc/subgid)"
                        : "the built-in uids (none in /etc/subuid), root's range in /etc/subgid";
  }
  return range;
}

StatusOr<IsolationIds> ChooseIsolationIds() {
  const uid_t uid = geteuid();
  IsolationIds ids;
  if (uid == 0) {
    StatusOr<HostIdRange> range = RootHostIdRange();
    if (!range.ok()) return range.status();
    ids.host_uid = range->first_uid;
    ids.host_gid = range->first_gid;
    return ids;
  }
  const std::string name = UserName(uid);
  const std::optional<uint32_t> sub_uid = FirstSubordinateId("/etc/subuid", name, uid);
  const std::optional<uint32_t> sub_gid = FirstSubordinateId("/etc/subgid", name, uid);
  const std::string who = name.empty() ? "uid " + std::to_string(uid) : "user '" + name + "'";
  if (!sub_uid) return Error(Code::kUnavailable, "no range for " + who + " in /etc/subuid");
  if (!sub_gid) return Error(Code::kUnavailable, "no range for " + who + " in /etc/subgid");
  ids.via_helpers = true;
  ids.newuidmap = FindHelper("newuidmap");
  ids.newgidmap = FindHelper("newgidmap");
  if (ids.newuidmap.empty() || ids.newgidmap.empty()) {
    return Error(Code::kUnavailable, "newuidmap/newgidmap not found (install the uidmap package)");
  }
  ids.host_uid = *sub_uid;
  ids.host_gid = *sub_gid;
  return ids;
}

Status IsolationUidAvailable() {
  StatusOr<IsolationIds> ids = ChooseIsolationIds();
  return ids.ok() ? Status::Ok() : ids.status();
}

}  // namespace ncp::base
