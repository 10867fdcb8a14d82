// Minimal logging. The library prints nothing on success paths; it writes one line to stderr
// only when something a user must know about fails (e.g. a child cannot load its library).
#pragma once

namespace ncp::base {

// Writes "ncp: <formatted>\n" to stderr with a single write(2), so lines from several
// processes do not interleave. Allocation-free: safe after fork and in the child runtime.
void LogLine(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace ncp::base
