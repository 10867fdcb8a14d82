#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/profile_loader.h"
#include "test_util.h"
#include "testing/testing.h"

namespace ncp::policy {
namespace {

using testing::WriteFile;

std::string Diagnose(const std::string& text) {
  return ParseProfileText(text, "p.profile", {}).diagnostics.Render();
}

TEST(ProfileParser, KeyValueFlagsAndCommentsBecomeOrderedEvents) {
  LoadedProfile p = ParseProfileText(
      "# a comment\n"
      "\n"
      "  unshare-all\n"
      "hostname = box\n"
      "ro-bind=/usr\n"
      "   # indented comment\n"
      "env = A=b c\n",
      "p.profile", {});
  ASSERT_TRUE(p.diagnostics.empty()) << p.diagnostics.Render();
  ASSERT_EQ(p.events.size(), 4u);
  EXPECT_EQ(p.events[0].id, OptionId::kUnshareAll);
  EXPECT_EQ(p.events[0].loc.line, 3);
  EXPECT_EQ(p.events[1].id, OptionId::kHostname);
  EXPECT_EQ(p.events[1].value, "box");
  EXPECT_EQ(p.events[2].value, "/usr");
  EXPECT_EQ(p.events[3].value, "A=b c");
  EXPECT_EQ(p.events[3].loc.file, "p.profile");
  EXPECT_EQ(p.events[3].loc.line, 7);
}

TEST(ProfileParser, GoldenDiagnostics) {
  EXPECT_EQ(Diagnose("frobnicate = 1\n"), "p.profile:1: error: unknown option 'frobnicate'\n");
  EXPECT_EQ(Diagnose("\nunshare-net = yes\n"),
            "p.profile:2: error: option 'unshare-net' takes no value\n");
  EXPECT_EQ(Diagnose("hostname\n"), "p.profile:1: error: option 'hostname' needs a value\n");
  EXPECT_EQ(Diagnose("hostname =\n"), "p.profile:1: error: option 'hostname' needs a value\n");
  EXPECT_EQ(Diagnose("check\n"),
            "p.profile:1: error: option 'check' is only valid on the command line\n");
  EXPECT_EQ(Diagnose("hostname box\n"),
            "p.profile:1: error: expected 'key = value' or 'key', got 'hostname box'\n");
  EXPECT_EQ(Diagnose("--hostname=box\n"), "p.profile:1: error: unknown option '--hostname'\n");
  // Every bad line is reported, not just the first.
  EXPECT_EQ(Diagnose("nope\nunshare-all\nverbose\n"),
            "p.profile:1: error: unknown option 'nope'\n"
            "p.profile:3: error: option 'verbose' is only valid on the command line\n");
}

TEST(ProfileParser, IncludeExpandsInPlaceAndLaterLinesOverride) {
  ncp::testing::TempDir dir;
  WriteFile(dir.path() + "/base.profile", "hostname = base\nunshare-all\n");
  WriteFile(dir.path() + "/top.profile",
            "hostname = first\ninclude = base.profile\nhostname = last\n");
  LoadedProfile p = LoadProfile(dir.path() + "/top.profile", {});
  ASSERT_TRUE(p.diagnostics.empty()) << p.diagnostics.Render();
  ASSERT_EQ(p.events.size(), 4u);
  EXPECT_EQ(p.events[0].value, "first");
  EXPECT_EQ(p.events[1].value, "base");
  EXPECT_EQ(p.events[1].loc.file, dir.path() + "/base.profile");
  EXPECT_EQ(p.events[1].loc.line, 1);
  EXPECT_EQ(p.events[3].value, "last");
  ResolveResult r = Resolve(p.events);
  ASSERT_TRUE(r.ok()) << r.diagnostics.Render();
  EXPECT_EQ(r.plan->hostname, "last");
}

TEST(ProfileParser, IncludeByNameSearchesTheUsersFolderThenOwnDirectory) {
  ncp::testing::TempDir own, user;
  WriteFile(own.path() + "/shared.profile", "unshare-pid\n");
  WriteFile(own.path() + "/top.profile", "include = shared\n");
  LoadedProfile p = LoadProfile(own.path() + "/top.profile", {{user.path()}});
  ASSERT_TRUE(p.diagnostics.empty()) << p.diagnostics.Render();
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].id, OptionId::kUnsharePid);

  // The user's folder wins over the including file's directory: a sandbox that may write the
  // directory of a profile cannot plant a file there that replaces one of the user's.
  WriteFile(user.path() + "/shared.profile", "unshare-user\n");
  p = LoadProfile(own.path() + "/top.profile", {{user.path()}});
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].id, OptionId::kUnshareUser);
}

TEST(ProfileParser, ASymlinkAHardLinkOrAFileOthersMayWriteInTheUsersFolderIsNotUsed) {
  ncp::testing::TempDir user, elsewhere;
  WriteFile(elsewhere.path() + "/work.profile", "unshare-pid\n");
  ASSERT_EQ(symlink((elsewhere.path() + "/work.profile").c_str(),
                    (user.path() + "/work.profile").c_str()),
            0);
  LoadedProfile p = LoadProfile("work", {{user.path()}});
  EXPECT_EQ(p.diagnostics.Render(),
            "command line: error: '" + user.path() +
                "/work.profile' is a symlink, which the user's profile folder does not use; give "
                "the path of the file itself\n");
  // Nor a hard link: the other name may lie where a sandbox can write.
  ASSERT_EQ(
      link((elsewhere.path() + "/work.profile").c_str(), (user.path() + "/linked.profile").c_str()),
      0);
  EXPECT_EQ(LoadProfile("linked", {{user.path()}}).diagnostics.Render(),
            "command line: error: '" + user.path() +
                "/linked.profile' is a file with another hard link, which the user's profile "
                "folder does not use; give the path of the file itself\n");
  // Nor a file others may write.
  WriteFile(user.path() + "/open.profile", "unshare-pid\n");
  ASSERT_EQ(chmod((user.path() + "/open.profile").c_str(), 0666), 0);
  EXPECT_EQ(LoadProfile("open", {{user.path()}}).diagnostics.Render(),
            "command line: error: '" + user.path() +
                "/open.profile' is a file others may write, which the user's profile folder does "
                "not use; give the path of the file itself\n");
  // By path it is read.
  p = LoadProfile(elsewhere.path() + "/work.profile", {{user.path()}});
  EXPECT_TRUE(p.diagnostics.empty()) << p.diagnostics.Render();
}

TEST(ProfileParser, MissingIncludeAndCycleNameTheLine) {
  ncp::testing::TempDir dir;
  const std::string a = dir.path() + "/a.profile", b = dir.path() + "/b.profile";
  WriteFile(a, "unshare-all\ninclude = b.profile\n");
  WriteFile(b, "# b\ninclude = a.profile\n");
  LoadedProfile p = LoadProfile(a, {});
  EXPECT_EQ(p.diagnostics.Render(),
            b + ":2: error: include cycle: " + a + " -> " + b + " -> " + a + "\n");

  WriteFile(a, "\n\ninclude = nowhere\n");
  EXPECT_EQ(LoadProfile(a, {}).diagnostics.Render(),
            a + ":3: error: profile 'nowhere' not found\n");
}

TEST(ProfileParser, MissingTopLevelProfile) {
  EXPECT_EQ(LoadProfile("no-such-profile", {}).diagnostics.Render(),
            "command line: error: profile 'no-such-profile' not found\n");
}

TEST(ProfileParser, FindProfileRules) {
  ncp::testing::TempDir dir;
  WriteFile(dir.path() + "/x.profile", "");
  WriteFile(dir.path() + "/plain", "");
  ProfileSearchPath path{{dir.path()}};
  EXPECT_EQ(FindProfile("x", "", path), dir.path() + "/x.profile");
  EXPECT_EQ(FindProfile("x.profile", "", path), dir.path() + "/x.profile");
  EXPECT_EQ(FindProfile("plain", "", path), dir.path() + "/plain");
  EXPECT_EQ(FindProfile("missing", "", path), "");
  EXPECT_EQ(FindProfile(dir.path() + "/x.profile", "", {}), dir.path() + "/x.profile");
  EXPECT_EQ(FindProfile("./x.profile", dir.path(), {}), dir.path() + "/./x.profile");
  // A path is never looked up in the search path.
  EXPECT_EQ(FindProfile("sub/x.profile", "", path), "");
}

TEST(OptionTable, IdsIndexTheTableAndNamesAreUnique) {
  auto options = AllOptions();
  for (size_t i = 0; i < options.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(options[i].id), i) << options[i].name;
    EXPECT_EQ(FindOption(options[i].name), &options[i]);
    EXPECT_NE(std::string(options[i].help), "");
  }
  EXPECT_EQ(FindOption("nope"), nullptr);
  EXPECT_NE(OptionsHelp().find("--seccomp-allow"), std::string::npos);
}

}  // namespace
}  // namespace ncp::policy
