// Bind source identities (policy/source_identity.h): what the parent checks is what the child
// may mount. The end-to-end races are in tests/launcher/bind_race_test.cc.
#include "policy/source_identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "policy/policy_state.h"
#include "testing/testing.h"

namespace ncp::policy {
namespace {

namespace fs = std::filesystem;

SourceIdentity StatIdentity(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return IdentityOf(st);
}

TEST(SourceIdentity, RecordedForEveryBindFromWhatThePathNamesNow) {
  ncp::testing::TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  fs::create_directories(root + "/real");
  fs::create_directory_symlink(root + "/real", root + "/link");
  Plan plan;
  plan.mounts = {{MountKind::kBind, root + "/link", "/a", false},
                 {MountKind::kReadOnlyBind, root + "/real", "/b", false},
                 {MountKind::kTmpfs, "", "/c", false},
                 {MountKind::kBind, root + "/missing", "/d", true}};
  RecordSourceIdentities(&plan);
  EXPECT_EQ(plan.mounts[0].identity, StatIdentity(root + "/real"));
  EXPECT_EQ(plan.mounts[1].identity, StatIdentity(root + "/real"));
  EXPECT_FALSE(plan.mounts[2].identity);
  EXPECT_FALSE(plan.mounts[3].identity);
}

TEST(SourceIdentity, ARealPathThatBecameASymlinkProvesNothing) {
  ncp::testing::TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  fs::create_directories(root + "/other");
  fs::create_directory_symlink(root + "/other", root + "/d");
  EXPECT_EQ(IdentityOfSource(root + "/d"), StatIdentity(root + "/other"));
  EXPECT_FALSE(IdentityOfRealPath(root + "/d"));
  EXPECT_EQ(IdentityOfRealPath(root + "/other"), StatIdentity(root + "/other"));
}

// The policy-state check resolves each writable bind again: if that is no longer the file whose
// identity was recorded, the check would be about something else, so the plan is refused.
TEST(SourceIdentity, ABindThatChangedBeforeThePolicyStateCheckIsRefused) {
  ncp::testing::TempDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  fs::create_directories(root + "/harmless");
  fs::create_directories(root + "/cache/ncp/seccomp");
  Plan plan;
  plan.mounts = {{MountKind::kBind, root + "/harmless", "/x", false}};
  plan.mounts[0].identity = StatIdentity(root + "/cache");  // recorded; then the path changed
  auto notes = ProtectPolicyState(&plan, {{{root + "/cache/ncp/seccomp", 0}}, {}}, geteuid());
  ASSERT_FALSE(notes.ok());
  EXPECT_EQ(notes.status().message(),
            "bind: " + root +
                "/harmless changed while ncp-launch checked it (something is replacing it, or a "
                "symlink on its path); nothing was started");
}

TEST(SourceIdentity, PinsAndCoversAreInPlaceWithTheirOwnIdentities) {
  ncp::testing::TempDir dir;
  const std::string home = fs::canonical(dir.path()).string() + "/home";
  fs::create_directories(home + "/.cache/ncp/seccomp");
  Plan plan;
  plan.mounts = {{MountKind::kBind, home, "/h", false}};
  RecordSourceIdentities(&plan);
  auto notes = ProtectPolicyState(&plan, {{{home + "/.cache/ncp/seccomp", 0}}, {}}, geteuid());
  ASSERT_TRUE(notes.ok()) << notes.status().ToString();
  ASSERT_EQ(plan.mounts.size(), 4u);
  EXPECT_FALSE(plan.mounts[0].in_place);
  for (size_t i = 1; i < plan.mounts.size(); ++i) {
    EXPECT_TRUE(plan.mounts[i].in_place) << plan.mounts[i].source;
    EXPECT_EQ(plan.mounts[i].identity, StatIdentity(plan.mounts[i].source));
  }
}

}  // namespace
}  // namespace ncp::policy
