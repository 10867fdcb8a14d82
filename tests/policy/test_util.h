// Helpers shared by the policy tests.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "policy/command_line.h"
#include "policy/option_table.h"
#include "policy/profile_loader.h"
#include "policy/resolve.h"

namespace ncp::policy::testing {

inline void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

inline ProfileSearchPath ShippedProfiles() { return ProfileSearchPath{{NCP_PROFILES_DIR}}; }

// Profile text → events; fails the test on any diagnostic.
inline std::vector<OptionEvent> EventsFrom(const std::string& text,
                                           const ProfileSearchPath& path = ShippedProfiles()) {
  LoadedProfile loaded = ParseProfileText(text, "test.profile", path);
  EXPECT_TRUE(loaded.diagnostics.empty()) << loaded.diagnostics.Render();
  return loaded.events;
}

// Resolves profile text and returns the plan; fails the test on errors.
inline Plan PlanFrom(const std::string& text, const ResolveOptions& options = {}) {
  ResolveResult result = Resolve(EventsFrom(text), options);
  EXPECT_TRUE(result.ok()) << result.diagnostics.Render();
  return result.ok() ? *result.plan : Plan{};
}

// Rendered diagnostics of resolving profile text.
inline std::string ResolveDiagnostics(const std::string& text) {
  LoadedProfile loaded = ParseProfileText(text, "test.profile", ShippedProfiles());
  Diagnostics all = loaded.diagnostics;
  all.Append(Resolve(loaded.events).diagnostics);
  return all.Render();
}

}  // namespace ncp::policy::testing
