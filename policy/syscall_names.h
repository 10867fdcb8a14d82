// Syscall names and numbers for an architecture, from libseccomp's tables (no kernel calls).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ncp::policy {

// AUDIT_ARCH_* of the architecture this code was built for.
uint32_t NativeArch();
// "x86_64", "aarch64", ... for messages.
std::string ArchName(uint32_t arch);

enum class SyscallKind { kPresent, kNotOnArch, kUnknown };

struct SyscallLookup {
  SyscallKind kind = SyscallKind::kUnknown;
  int nr = -1;  // valid for kPresent
};

// kNotOnArch: libseccomp knows the name but this architecture has no such syscall (e.g.
// "chown32" on x86_64); kUnknown: nobody knows the name (a typo, or newer than libseccomp).
SyscallLookup LookUpSyscall(std::string_view name, uint32_t arch);
// Name of `nr` on `arch`, or "#nr".
std::string SyscallName(int nr, uint32_t arch);

}  // namespace ncp::policy
