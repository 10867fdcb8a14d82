#include "policy/diagnostic.h"

#include <algorithm>

#include "base/terminal_text.h"

namespace ncp::policy {

// Escaped here, once, because file names, option values and profile text all end up in messages.
std::string LocText(const SourceLoc& loc) {
  std::string out = base::EscapeForTerminal(loc.file);
  if (loc.line > 0) out += ":" + std::to_string(loc.line);
  return out;
}

std::string Diagnostic::Render() const {
  std::string out = LocText(loc);
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  out += base::EscapeForTerminal(message);
  return out;
}

void Diagnostics::Error(const SourceLoc& loc, std::string message) {
  items_.push_back({Severity::kError, loc, std::move(message)});
}

void Diagnostics::Warning(const SourceLoc& loc, std::string message) {
  items_.push_back({Severity::kWarning, loc, std::move(message)});
}

void Diagnostics::ErrorIf(bool strict, const SourceLoc& loc, std::string message) {
  items_.push_back({strict ? Severity::kError : Severity::kWarning, loc, std::move(message)});
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

std::string Diagnostics::Render() const {
  std::string out;
  for (const Diagnostic& d : items_) out += d.Render() + "\n";
  return out;
}

}  // namespace ncp::policy
