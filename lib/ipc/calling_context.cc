#include "ipc/calling_context.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>

namespace ncp::ipc {
namespace {

thread_local bool t_handling = false;
thread_local CallerIdentity t_caller;

}  // namespace

uint64_t TokenIdForUid(uint64_t uid) { return (uint64_t{1} << 32) | uid; }

CallerIdentity SelfIdentity() {
  return CallerIdentity{static_cast<uint64_t>(::getpid()), static_cast<uint64_t>(::getuid()), true};
}

CallerIdentity CurrentCaller() { return t_handling ? t_caller : SelfIdentity(); }

bool IsHandlingTransaction() { return t_handling; }

std::string EncodeIdentity(const CallerIdentity& identity) {
  char text[64];
  std::snprintf(text, sizeof(text), "%" PRIu64 ":%" PRIu64 ":%d", identity.pid, identity.uid,
                identity.local ? 1 : 0);
  return text;
}

std::optional<CallerIdentity> DecodeIdentity(const char* text) {
  CallerIdentity identity;
  int local = 0;
  int consumed = 0;
  if (std::sscanf(text, "%" SCNu64 ":%" SCNu64 ":%d%n", &identity.pid, &identity.uid, &local,
                  &consumed) != 3 ||
      text[consumed] != '\0' || (local != 0 && local != 1)) {
    return std::nullopt;
  }
  identity.local = local == 1;
  return identity;
}

CallerIdentity ReplaceCurrentCaller(const CallerIdentity& identity) {
  CallerIdentity previous = CurrentCaller();
  if (t_handling) t_caller = identity;
  return previous;
}

ScopedCallingContext::ScopedCallingContext(const CallerIdentity& caller)
    : saved_caller_(t_caller), saved_handling_(t_handling) {
  t_caller = caller;
  t_handling = true;
}

ScopedCallingContext::~ScopedCallingContext() {
  t_caller = saved_caller_;
  t_handling = saved_handling_;
}

}  // namespace ncp::ipc
