#include "policy/syscall_names.h"

#include <seccomp.h>

#include <cstdlib>

namespace ncp::policy {

uint32_t NativeArch() { return seccomp_arch_native(); }

std::string ArchName(uint32_t arch) {
  switch (arch) {
    case SCMP_ARCH_X86_64:
      return "x86_64";
    case SCMP_ARCH_X86:
      return "x86";
    case SCMP_ARCH_X32:
      return "x32";
    case SCMP_ARCH_AARCH64:
      return "aarch64";
    case SCMP_ARCH_ARM:
      return "arm";
    case SCMP_ARCH_RISCV64:
      return "riscv64";
    case SCMP_ARCH_PPC64LE:
      return "ppc64le";
    case SCMP_ARCH_S390X:
      return "s390x";
    default:
      return "arch-" + std::to_string(arch);
  }
}

SyscallLookup LookUpSyscall(std::string_view name, uint32_t arch) {
  std::string copy(name);
  int nr = seccomp_syscall_resolve_name_arch(arch, copy.c_str());
  if (nr == __NR_SCMP_ERROR) return {SyscallKind::kUnknown, -1};
  // Negative numbers are libseccomp's pseudo-syscalls: known names absent on this arch.
  if (nr < 0) return {SyscallKind::kNotOnArch, -1};
  return {SyscallKind::kPresent, nr};
}

std::string SyscallName(int nr, uint32_t arch) {
  char* name = seccomp_syscall_resolve_num_arch(arch, nr);
  if (name == nullptr) return "#" + std::to_string(nr);
  std::string out(name);
  std::free(name);
  return out;
}

}  // namespace ncp::policy
