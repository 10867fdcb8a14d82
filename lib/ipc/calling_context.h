// Who is calling the stub callback that runs on this thread: what OH_IPCSkeleton_GetCallingPid/
// Uid/TokenId, IsLocalCalling and IsHandlingTransaction report. Thread-local; a request sets it
// for the duration of the callback and restores the previous one (requests can nest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ncp::ipc {

struct CallerIdentity {
  uint64_t pid = 0;
  uint64_t uid = 0;
  bool local = true;  // the caller is this process
};

// Linux has no access tokens; a token id is derived from the uid, and is never 0 so that it
// reads as "present" (OpenHarmony's SelfTokenId > 0).
uint64_t TokenIdForUid(uint64_t uid);

CallerIdentity SelfIdentity();
// The identity of the current caller; SelfIdentity() outside a request.
CallerIdentity CurrentCaller();
bool IsHandlingTransaction();

// ResetCallingIdentity / SetCallingIdentity: the identity as a printable string and back.
std::string EncodeIdentity(const CallerIdentity& identity);
std::optional<CallerIdentity> DecodeIdentity(const char* text);
// Replaces the identity of the current request (no-op outside one); returns the previous.
CallerIdentity ReplaceCurrentCaller(const CallerIdentity& identity);

class ScopedCallingContext {
 public:
  explicit ScopedCallingContext(const CallerIdentity& caller);
  ~ScopedCallingContext();
  ScopedCallingContext(const ScopedCallingContext&) = delete;
  ScopedCallingContext& operator=(const ScopedCallingContext&) = delete;

 private:
  CallerIdentity saved_caller_;
  bool saved_handling_;
};

}  // namespace ncp::ipc
