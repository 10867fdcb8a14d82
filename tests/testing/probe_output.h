// Reading what the Probe test entry (tests/helpers/probe_entry.c) wrote: one "probe=result"
// line per probe, results "ok" or an errno name.
#pragma once

#include <map>
#include <string>

namespace ncp::testing {

// The "probe=result" lines of `out` by probe; a line without '=' is left out (so a test that
// expects a probe's line gets "" for it and fails on the value).
std::map<std::string, std::string> ParseProbe(const std::string& out);

}  // namespace ncp::testing
