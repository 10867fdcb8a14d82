// Named syscall sets ("@basic-io", "@memory", ...), so profiles say what a child does rather
// than list 300 names. ONE table (syscall_groups.cc) holds every group with its purpose.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ncp::policy {

struct SyscallGroup {
  const char* name;     // with the leading '@'
  const char* purpose;  // one line, shown by --help-style listings and explanations
  const char* members;  // space-separated syscall names and other @groups
};

std::span<const SyscallGroup> AllSyscallGroups();
const SyscallGroup* FindSyscallGroup(std::string_view name);

// The syscall names of a group, nested groups expanded, each name once, in table order.
// nullopt when no such group exists.
std::optional<std::vector<std::string>> ExpandSyscallGroup(std::string_view name);

}  // namespace ncp::policy
