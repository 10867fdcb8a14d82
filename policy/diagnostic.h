// Diagnostics as data: every problem found while reading options, profiles or seccomp rules is
// a Diagnostic that names where it came from, so a caller can print, count or test them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ncp::policy {

// Where a setting came from. `line` is 0 for the command line and for whole-file problems.
struct SourceLoc {
  std::string file;  // a profile path, or kCommandLine
  int line = 0;

  bool operator==(const SourceLoc&) const = default;
};

inline constexpr std::string_view kCommandLine = "command line";

// "FILE:LINE" ("command line" alone), safe to print on a terminal.
std::string LocText(const SourceLoc& loc);

enum class Severity { kWarning, kError };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;

  // "file:line: error: message", or "file: warning: message" when there is no line; control
  // characters in the file name and message are escaped (base::EscapeForTerminal).
  std::string Render() const;
};

// An ordered collection of diagnostics with the few queries every caller needs.
class Diagnostics {
 public:
  void Error(const SourceLoc& loc, std::string message);
  void Warning(const SourceLoc& loc, std::string message);
  // Error under `strict`, otherwise a warning.
  void ErrorIf(bool strict, const SourceLoc& loc, std::string message);
  void Append(const Diagnostics& other);

  bool HasErrors() const;
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  // One rendered diagnostic per line, in the order they were found.
  std::string Render() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace ncp::policy
