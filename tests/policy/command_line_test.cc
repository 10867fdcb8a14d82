#include "policy/command_line.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "testing/testing.h"

namespace ncp::policy {
namespace {

ParsedCli Parse(std::vector<const char*> args, const ProfileSearchPath& path = {}) {
  args.insert(args.begin(), "ncp-launch");
  return ParseCommandLine(static_cast<int>(args.size()), args.data(), path);
}

TEST(CommandLine, SplitsOptionsFromCommand) {
  ParsedCli cli = Parse({"--unshare-all", "--hostname", "box", "lib.so:Main", "--help", "x"});
  ASSERT_TRUE(cli.ok()) << cli.diagnostics.Render();
  EXPECT_FALSE(cli.actions.help);  // belongs to the command
  EXPECT_EQ(cli.command, (std::vector<std::string>{"lib.so:Main", "--help", "x"}));
  ASSERT_EQ(cli.events.size(), 2u);
  EXPECT_EQ(cli.events[1].id, OptionId::kHostname);
  EXPECT_EQ(cli.events[1].value, "box");
  EXPECT_EQ(cli.events[1].loc.file, "command line");
}

TEST(CommandLine, DoubleDashStartsTheCommand) {
  ParsedCli cli = Parse({"--check", "--", "/usr/bin/prog", "-v"});
  ASSERT_TRUE(cli.ok());
  EXPECT_TRUE(cli.actions.check);
  EXPECT_EQ(cli.command, (std::vector<std::string>{"/usr/bin/prog", "-v"}));
}

TEST(CommandLine, ActionsAreRecognised) {
  ParsedCli cli = Parse({"-h", "--version", "--explain-seccomp", "--verbose", "--strict"});
  ASSERT_TRUE(cli.ok()) << cli.diagnostics.Render();
  EXPECT_TRUE(cli.actions.help && cli.actions.version && cli.actions.explain_seccomp &&
              cli.actions.verbose);
  ASSERT_EQ(cli.events.size(), 1u);
  EXPECT_EQ(cli.events[0].id, OptionId::kStrict);
}

TEST(CommandLine, GoldenErrors) {
  EXPECT_EQ(Parse({"--frobnicate"}).diagnostics.Render(),
            "command line: error: unknown option '--frobnicate'\n");
  EXPECT_EQ(Parse({"--unshare-net=1"}).diagnostics.Render(),
            "command line: error: option '--unshare-net' takes no value\n");
  EXPECT_EQ(Parse({"--hostname"}).diagnostics.Render(),
            "command line: error: option '--hostname' needs a value\n");
  EXPECT_EQ(Parse({"--include", "x"}).diagnostics.Render(),
            "command line: error: option '--include' is only valid in a profile file\n");
  // No prefix guessing.
  EXPECT_FALSE(Parse({"--unshare"}).ok());
}

TEST(CommandLine, ProfilesComeFirstSoTypedOptionsOverrideThem) {
  ncp::testing::TempDir dir;
  testing::WriteFile(dir.path() + "/mine.profile", "unshare-all\nhostname = fromprofile\n");
  ParsedCli cli = Parse({"--hostname=typed", "--profile", "mine"}, {{dir.path()}});
  ASSERT_TRUE(cli.ok()) << cli.diagnostics.Render();
  EXPECT_EQ(cli.profiles, (std::vector<std::string>{"mine"}));
  ResolveResult r = Resolve(cli);
  ASSERT_TRUE(r.ok()) << r.diagnostics.Render();
  EXPECT_EQ(r.plan->hostname, "typed");
}

TEST(CommandLine, ProfileErrorsCarryFileAndLine) {
  ncp::testing::TempDir dir;
  testing::WriteFile(dir.path() + "/bad.profile", "unshare-all\nbogus\n");
  ParsedCli cli = Parse({"--profile", "bad"}, {{dir.path()}});
  EXPECT_EQ(cli.diagnostics.Render(),
            "" + dir.path() + "/bad.profile:2: error: unknown option 'bogus'\n");
}

}  // namespace
}  // namespace ncp::policy
