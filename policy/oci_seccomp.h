// Docker / OCI seccomp JSON as a source of seccomp rules: defaultAction, defaultErrnoRet,
// architectures/archMap, syscalls[] with names, action, errnoRet, args, includes/excludes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "policy/seccomp_policy.h"

namespace ncp::policy {

// What decides whether a conditional Docker rule applies here.
struct OciContext {
  uint32_t arch = 0;     // AUDIT_ARCH_* of the filter
  int kernel_major = 0;  // for includes.minKernel
  int kernel_minor = 0;
};

// The running kernel and the native architecture.
OciContext HostOciContext();

struct OciSeccomp {
  SeccompAction default_action;
  // Names only (nr = -1), in file order. Rules that cannot apply in an ncp sandbox are dropped:
  // those that need a capability (the child has none), another architecture, or a newer kernel.
  std::vector<SeccompRule> rules;
};

base::StatusOr<OciSeccomp> ParseOciSeccomp(std::string_view json, const OciContext& context);
base::StatusOr<OciSeccomp> LoadOciSeccomp(const std::string& path, const OciContext& context);

}  // namespace ncp::policy
