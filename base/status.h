// Status: the error type used inside ncp. Carries a category code, the errno captured at the
// failing call (0 when none) and a human-readable message. Mapped to public error codes only at
// the C API boundary (lib/api) or to exit codes only in ncp-launch's main.
#pragma once

#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ncp::base {

enum class Code {
  kOk = 0,
  kInvalidArgument,   // caller passed something malformed
  kNotFound,          // a file, library or symbol does not exist
  kResourceExhausted, // a limit was reached
  kFailedPrecondition,// the call is not allowed in this state (e.g. inside a child)
  kUnavailable,       // a required kernel feature or helper is missing
  kInternal,          // a system call failed unexpectedly
  kNotSupported,
  kLibraryNotLoaded,  // a child could not load its library or find its entry
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, int err = 0)
      : code_(code), errno_(err), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int err() const { return errno_; }
  const std::string& message() const { return message_; }
  // "message: strerror(errno)" when errno is set.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  int errno_ = 0;
  std::string message_;
};

// Captures errno at the point of failure; use right after the failing call.
Status ErrnoError(std::string message, int err = errno);
Status Error(Code code, std::string message);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace ncp::base

#define NCP_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::ncp::base::Status ncp_status_ = (expr);  \
    if (!ncp_status_.ok()) return ncp_status_; \
  } while (0)
