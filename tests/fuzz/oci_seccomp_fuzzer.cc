// The OCI / Docker seccomp JSON loader (policy/oci_seccomp.cc), then, for a document it accepts,
// the rest of the path a `seccomp-oci = FILE` line takes: the file is read back through
// LoadOciSeccomp, names are resolved and the filter is compiled (policy/resolve.cc).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "policy/oci_seccomp.h"
#include "policy/resolve.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  // Which rules apply depends on the architecture and kernel: vary both with the input.
  ncp::policy::OciContext context = ncp::policy::HostOciContext();
  if (size % 3 == 1) context = {0x40000003 /* AUDIT_ARCH_I386 */, 3, 10};
  if (size % 3 == 2) context.kernel_major = 99;
  ncp::base::StatusOr<ncp::policy::OciSeccomp> parsed = ncp::policy::ParseOciSeccomp(json, context);
  if (!parsed.ok() || size % 3 != 0) return 0;

  ncp::base::UniqueFd memfd(::memfd_create("fuzz-oci", MFD_CLOEXEC));
  if (!memfd || ::write(memfd.get(), json.data(), json.size()) != static_cast<ssize_t>(size)) {
    std::abort();
  }
  const std::string path = "/proc/self/fd/" + std::to_string(memfd.get());
  std::vector<ncp::policy::OptionEvent> events = {
      {ncp::policy::OptionId::kSeccompOci, path, {"fuzz.profile", 1}, ""}};
  ncp::policy::ResolveResult resolved = ncp::policy::Resolve(events);
  if (resolved.ok() && resolved.plan->seccomp.enabled && resolved.plan->seccomp.program.empty()) {
    std::abort();  // an enabled filter must have a program
  }
  return 0;
}
