// The profile parser (policy/profile_loader.cc, the option table and option tokens) on profile
// text held in memory, the same code LoadProfile runs on a file's contents; then, for a profile
// that parses, the resolver (policy/resolve.cc, the seccomp builder and compiler) and the views
// `ncp-launch --check` and `--explain-seccomp` print, and the plan's byte form both ways.
//
// `include = NAME` finds the shipped profiles (NCP_FUZZ_PROFILES_DIR), so layering is reached.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/describe.h"
#include "policy/plan_serialization.h"
#include "policy/profile_loader.h"
#include "policy/resolve.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const ncp::policy::ProfileSearchPath search_path{{NCP_FUZZ_PROFILES_DIR}};
  // A directory that does not exist: relative includes find nothing beside the profile.
  ncp::policy::LoadedProfile loaded =
      ncp::policy::ParseProfileText(text, "/nonexistent-ncp-fuzz/fuzz.profile", search_path);
  for (const ncp::policy::Diagnostic& d : loaded.diagnostics.items()) (void)d.Render();
  if (loaded.diagnostics.HasErrors()) return 0;

  ncp::policy::ResolveResult resolved = ncp::policy::Resolve(loaded.events);
  for (const ncp::policy::Diagnostic& d : resolved.diagnostics.items()) (void)d.Render();
  if (!resolved.ok()) return 0;
  (void)ncp::policy::DescribePlan(*resolved.plan);
  (void)ncp::policy::ExplainSeccomp(*resolved.plan);
  ncp::base::StatusOr<ncp::policy::Plan> back =
      ncp::policy::DeserializePlan(ncp::policy::SerializePlan(*resolved.plan));
  if (!back.ok()) std::abort();  // every plan the resolver makes must survive the trip
  return 0;
}
