#include "policy/syscall_groups.h"

#include <gtest/gtest.h>
#include <seccomp.h>

#include <fstream>
#include <set>

#include "policy/syscall_names.h"

namespace ncp::policy {
namespace {

TEST(SyscallGroups, EveryMemberIsAKnownSyscallAndEveryGroupHasNativeNumbers) {
  std::set<std::string> names;
  for (const SyscallGroup& group : AllSyscallGroups()) {
    EXPECT_EQ(group.name[0], '@');
    EXPECT_TRUE(names.insert(group.name).second) << "duplicate " << group.name;
    EXPECT_GT(std::string(group.purpose).size(), 10u) << group.name;
    std::optional<std::vector<std::string>> members = ExpandSyscallGroup(group.name);
    ASSERT_TRUE(members.has_value());
    ASSERT_FALSE(members->empty()) << group.name;
    int native = 0;
    for (const std::string& member : *members) {
      SyscallLookup lookup = LookUpSyscall(member, NativeArch());
      EXPECT_NE(lookup.kind, SyscallKind::kUnknown) << group.name << ": " << member;
      if (lookup.kind == SyscallKind::kPresent) {
        EXPECT_GE(lookup.nr, 0);
        ++native;
      }
    }
    EXPECT_GT(native, 0) << group.name;
  }
}

TEST(SyscallGroups, NestedGroupsExpandWithoutDuplicates) {
  std::vector<std::string> service = *ExpandSyscallGroup("@system-service");
  std::set<std::string> unique(service.begin(), service.end());
  EXPECT_EQ(unique.size(), service.size());
  EXPECT_TRUE(unique.count("read"));    // from @basic-io
  EXPECT_TRUE(unique.count("openat"));  // from @file-system via @file-read
  EXPECT_TRUE(unique.count("ioctl"));
  EXPECT_FALSE(unique.count("ptrace"));
  EXPECT_FALSE(unique.count("mount"));
  EXPECT_FALSE(ExpandSyscallGroup("@nope").has_value());
}

TEST(SyscallGroups, DangerousCallsStayOutOfTheEverydayGroups) {
  const char* kEveryday[] = {"@basic-io", "@file-read", "@io-event", "@memory", "@process-info",
                             "@signal",   "@thread",    "@time",     "@timer"};
  const char* kDangerous[] = {"ptrace",     "mount",       "bpf",         "keyctl",
                              "add_key",    "unshare",     "setns",       "perf_event_open",
                              "kexec_load", "init_module", "userfaultfd", "personality",
                              "ioctl",      "clone",       "clone3"};
  for (const char* group : kEveryday) {
    std::vector<std::string> members = *ExpandSyscallGroup(group);
    for (const char* bad : kDangerous) {
      EXPECT_EQ(std::count(members.begin(), members.end(), bad), 0) << group << " has " << bad;
    }
  }
}

}  // namespace
}  // namespace ncp::policy

namespace ncp::policy {
namespace {

TEST(SyscallGroups, ProfilesReadmeNamesEveryGroup) {
  std::ifstream in(std::string(NCP_PROFILES_DIR) + "/README.md");
  std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(readme.empty());
  for (const SyscallGroup& group : AllSyscallGroups()) {
    EXPECT_NE(readme.find(std::string("`") + group.name + "`"), std::string::npos) << group.name;
  }
}

}  // namespace
}  // namespace ncp::policy
