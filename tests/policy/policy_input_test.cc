// Issue 9 items 3 and 6, policy side: shipped names that cannot be shadowed, read-only covers
// over policy state, the cache's trust rules, and bad input refused with a clear message.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "base/terminal_text.h"
#include "policy/oci_seccomp.h"
#include "policy/policy_state.h"
#include "policy/seccomp_cache.h"
#include "policy/syscall_names.h"
#include "test_util.h"
#include "testing/testing.h"

namespace ncp::policy {
namespace {

namespace fs = std::filesystem;
using testing::WriteFile;

// --- shipped names ---------------------------------------------------------------------------

TEST(ShippedNames, AUserFileNamedLikeAShippedProfileIsIgnoredWithAWarning) {
  ncp::testing::TempDir user;
  WriteFile(user.path() + "/default.profile", "no-seccomp\n");
  WriteFile(user.path() + "/mine.profile", "include = default\nhostname = mine\n");
  const ProfileSearchPath path{{user.path()}, {NCP_PROFILES_DIR}};
  LoadedProfile loaded = LoadProfile("default", path);
  ASSERT_FALSE(loaded.diagnostics.HasErrors()) << loaded.diagnostics.Render();
  ASSERT_FALSE(loaded.files.empty());
  EXPECT_EQ(fs::canonical(loaded.files[0].path),
            fs::canonical(NCP_PROFILES_DIR "/default.profile"));
  EXPECT_TRUE(loaded.files[0].shipped);
  for (const OptionEvent& e : loaded.events) EXPECT_NE(e.id, OptionId::kNoSeccomp);
  EXPECT_NE(loaded.diagnostics.Render().find("warning: ignoring '" + user.path() +
                                             "/default.profile': 'default' is a shipped profile"),
            std::string::npos)
      << loaded.diagnostics.Render();
  // A user's own name is found, and its include of a shipped name gets the shipped file.
  loaded = LoadProfile("mine", path);
  ASSERT_FALSE(loaded.diagnostics.HasErrors()) << loaded.diagnostics.Render();
  ASSERT_EQ(loaded.files.size(), 2u);
  EXPECT_FALSE(loaded.files[0].shipped);
  EXPECT_TRUE(loaded.files[1].shipped);
  EXPECT_EQ(loaded.files[1].depth, 1);
  // A path reads the file it names.
  loaded = LoadProfile(user.path() + "/default.profile", path);
  ASSERT_EQ(loaded.events.size(), 1u);
  EXPECT_EQ(loaded.events[0].id, OptionId::kNoSeccomp);
}

TEST(ShippedNames, IncludesInsideShippedProfilesStayShipped) {
  ncp::testing::TempDir shipped, user;
  WriteFile(shipped.path() + "/top.profile", "include = part\n");
  WriteFile(shipped.path() + "/part.profile", "hostname = shipped\n");
  WriteFile(shipped.path() + "/loose.profile", "include = extra\n");
  WriteFile(user.path() + "/extra.profile", "no-seccomp\n");
  const ProfileSearchPath path{{user.path()}, {shipped.path()}};
  LoadedProfile loaded = LoadProfile("top", path);
  ASSERT_EQ(loaded.events.size(), 1u) << loaded.diagnostics.Render();
  EXPECT_EQ(loaded.events[0].value, "shipped");
  // A shipped profile never picks up a file from the user's folder.
  loaded = LoadProfile("loose", path);
  EXPECT_EQ(loaded.diagnostics.Render(),
            shipped.path() + "/loose.profile:1: error: profile 'extra' not found\n");
}

TEST(ShippedNames, OnlyNameDotProfileInTheShippedFolderIsAProfile) {
  ncp::testing::TempDir shipped;
  WriteFile(shipped.path() + "/README.md", "# not a profile\n");
  const ProfileSearchPath path{{}, {shipped.path()}};
  EXPECT_EQ(LoadProfile("README.md", path).diagnostics.Render(),
            "command line: error: profile 'README.md' not found\n");
}

// --- covers over policy state ----------------------------------------------------------------

// The mounts without what only the child checks (source identities, in-place marks:
// source_identity_test.cc covers those).
std::vector<Mount> Shapes(std::vector<Mount> mounts) {
  for (Mount& m : mounts) {
    m.identity.reset();
    m.in_place = false;
  }
  return mounts;
}

TEST(PolicyStateCovers, AWritableBindAboveTheCacheGetsAReadOnlyCoverAtTheMappedPlace) {
  ncp::testing::TempDir dir;
  const std::string home = fs::canonical(dir.path()).string() + "/home";
  fs::create_directories(home + "/.cache/ncp/seccomp");
  fs::create_directories(home + "/work");
  fs::create_directory_symlink(home, dir.path() + "/link-to-home");
  Plan plan;
  plan.mounts = {{MountKind::kReadOnlyBind, home, "/ro", false},
                 {MountKind::kBind, dir.path() + "/link-to-home", "/victim", false},
                 {MountKind::kBind, home + "/work", "/work", false},
                 {MountKind::kBind, home + "/.cache/ncp/seccomp", "/exact", false}};
  auto notes = ProtectPolicyState(
      &plan, {{{home + "/.cache/ncp/seccomp", 0}, {"/no/such/folder", 0}}, {}}, geteuid());
  ASSERT_TRUE(notes.ok()) << notes.status().ToString();
  EXPECT_EQ(notes->size(), 2u);
  const std::vector<Mount> expected = {
      {MountKind::kReadOnlyBind, home, "/ro", false},
      {MountKind::kBind, dir.path() + "/link-to-home", "/victim", false},
      // Pinned right after their bind: .cache and .cache/ncp cannot be renamed away.
      {MountKind::kBind, home + "/.cache", "/victim/.cache", false},
      {MountKind::kBind, home + "/.cache/ncp", "/victim/.cache/ncp", false},
      {MountKind::kBind, home + "/work", "/work", false},
      {MountKind::kBind, home + "/.cache/ncp/seccomp", "/exact", false},
      {MountKind::kReadOnlyBind, home + "/.cache/ncp/seccomp", "/victim/.cache/ncp/seccomp", false},
      {MountKind::kReadOnlyBind, home + "/.cache/ncp/seccomp", "/exact", false}};
  EXPECT_EQ(Shapes(plan.mounts), expected);
}

// The same folder reached through a second path (a bind mount of it elsewhere on the host):
// recognised by identity, so the cover lands where the alias puts the state.
TEST(PolicyStateCovers, ABindOfAnAliasOfTheHomeIsCoveredToo) {
  if (geteuid() != 0) GTEST_SKIP() << "making the alias needs mount(2)";
  ncp::testing::TempDir dir;
  const std::string base = fs::canonical(dir.path()).string();
  const std::string home = base + "/home", alias = base + "/alias";
  fs::create_directories(home + "/.cache/ncp/seccomp");
  fs::create_directories(alias);
  if (::mount(home.c_str(), alias.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    // Root in a container has no CAP_SYS_ADMIN: it cannot make the alias.
    ASSERT_EQ(errno, EPERM) << strerror(errno);
    GTEST_SKIP() << "mount(2) refused here (no CAP_SYS_ADMIN, as in a container)";
  }
  Plan plan;
  plan.mounts = {{MountKind::kBind, alias, "/victim", false}};
  auto notes = ProtectPolicyState(&plan, {{{home + "/.cache/ncp/seccomp", 3}}, {}}, geteuid());
  ::umount2(alias.c_str(), MNT_DETACH);
  ASSERT_TRUE(notes.ok()) << notes.status().ToString();
  ASSERT_EQ(plan.mounts.size(), 4u);
  EXPECT_EQ(plan.mounts[1].destination, "/victim/.cache");
  EXPECT_EQ(plan.mounts[2].destination, "/victim/.cache/ncp");
  EXPECT_EQ(plan.mounts[3].kind, MountKind::kReadOnlyBind);
  EXPECT_EQ(plan.mounts[3].destination, "/victim/.cache/ncp/seccomp");
}

TEST(PolicyStateCovers, AWritableBindFromInsideAProtectedFolderIsRefused) {
  ncp::testing::TempDir dir;
  const std::string cache = fs::canonical(dir.path()).string() + "/ncp/seccomp";
  fs::create_directories(cache + "/sub");
  Plan plan;
  plan.mounts = {{MountKind::kBind, cache + "/sub", "/x", false}};
  auto notes = ProtectPolicyState(&plan, {{{cache, 0}}, {}}, geteuid());
  ASSERT_FALSE(notes.ok());
  EXPECT_EQ(notes.status().message(), "bind: " + cache + "/sub lies inside " + cache +
                                          ", which holds ncp's policy state: a sandbox may not "
                                          "write it");
  // Read-only is fine.
  plan.mounts = {{MountKind::kReadOnlyBind, cache + "/sub", "/x", false}};
  EXPECT_TRUE(ProtectPolicyState(&plan, {{{cache, 0}}, {}}, geteuid()).ok());
  EXPECT_EQ(plan.mounts.size(), 1u);
}

TEST(PolicyStateCovers, AProfileFileInAWritableBindIsKeptReadOnlyAndInPlace) {
  ncp::testing::TempDir dir;
  const std::string project = fs::canonical(dir.path()).string() + "/project";
  fs::create_directories(project + "/policy");
  WriteFile(project + "/policy/app.profile", "include = default\n");
  Plan plan;
  plan.mounts = {{MountKind::kBind, project, "/src", false}};
  auto notes = ProtectPolicyState(&plan, {{}, {project + "/policy/app.profile"}}, geteuid());
  ASSERT_TRUE(notes.ok()) << notes.status().ToString();
  const std::vector<Mount> expected = {
      {MountKind::kBind, project, "/src", false},
      {MountKind::kBind, project + "/policy", "/src/policy", false},
      {MountKind::kReadOnlyBind, project + "/policy/app.profile", "/src/policy/app.profile",
       false}};
  EXPECT_EQ(Shapes(plan.mounts), expected);
}

TEST(PolicyStateCovers, AMissingFolderTheSandboxCouldCreateIsCoveredWhereItWouldBe) {
  ncp::testing::TempDir dir;
  const std::string home = fs::canonical(dir.path()).string() + "/home";
  fs::create_directories(home + "/.config");
  Plan plan;
  plan.mounts = {{MountKind::kBind, home, "/h", false}};
  // .config exists, ncp/profiles below it does not: .config itself becomes read-only.
  auto notes = ProtectPolicyState(&plan, {{{home + "/.config/ncp/profiles", 3}}, {}}, geteuid());
  ASSERT_TRUE(notes.ok()) << notes.status().ToString();
  ASSERT_EQ(plan.mounts.size(), 2u);
  EXPECT_EQ(Shapes(plan.mounts)[1],
            (Mount{MountKind::kReadOnlyBind, home + "/.config", "/h/.config", false}));

  // Missing right below the bind's source: nothing narrower to cover, so the start is refused.
  plan.mounts = {{MountKind::kBind, home, "/h", false}};
  notes = ProtectPolicyState(&plan, {{{home + "/.cache/ncp/seccomp", 3}}, {}}, geteuid());
  ASSERT_FALSE(notes.ok());
  EXPECT_NE(notes.status().message().find("mkdir -p -m 0700 " + home + "/.cache/ncp/seccomp"),
            std::string::npos)
      << notes.status().message();

  // Below a folder of someone else's (the caller is not its owner) the owner checks suffice.
  plan.mounts = {{MountKind::kBind, home, "/h", false}};
  notes = ProtectPolicyState(&plan, {{{home + "/.cache/ncp/seccomp", 3}}, {}}, geteuid() + 1);
  ASSERT_TRUE(notes.ok()) << notes.status().ToString();
  EXPECT_EQ(plan.mounts.size(), 1u);
}

TEST(PolicyStateCovers, AUserProfileFolderOthersCanWriteIsNotSearched) {
  ncp::testing::TempDir dir;
  const std::string config = fs::canonical(dir.path()).string() + "/config";
  fs::create_directories(config + "/ncp/profiles");
  WriteFile(config + "/ncp/profiles/mine.profile", "no-seccomp\n");
  chmod(config.c_str(), 0755);
  ASSERT_EQ(setenv("XDG_CONFIG_HOME", config.c_str(), 1), 0);
  ProfileSearchPath path = DefaultProfileSearchPath("");
  EXPECT_EQ(path.dirs, std::vector<std::string>{config + "/ncp/profiles"});
  EXPECT_TRUE(LoadProfile("mine", path).diagnostics.Render().empty());

  chmod((config + "/ncp").c_str(), 0777);
  path = DefaultProfileSearchPath("");
  unsetenv("XDG_CONFIG_HOME");
  EXPECT_TRUE(path.dirs.empty());
  EXPECT_EQ(LoadProfile("mine", path).diagnostics.Render(),
            "command line: error: profile 'mine' not found (" + config +
                "/ncp/profiles was not searched: it or a folder above it up to $XDG_CONFIG_HOME or "
                "$HOME is a symlink, or may be written by others than its owner)\n");
}

// --- the cache's own rules -------------------------------------------------------------------

TEST(CacheTrust, NothingAboveNcpSeccompIsCreated) {
  ncp::testing::TempDir dir;
  SeccompCache cache(dir.path() + "/gone/home/ncp/seccomp");
  ASSERT_TRUE(
      cache.GetOrCompile(testing::PlanFrom("include = default\n").seccomp.policy, NativeArch())
          .ok());
  EXPECT_FALSE(fs::exists(dir.path() + "/gone"));
  EXPECT_EQ(cache.stats().disk_writes, 0u);
  EXPECT_FALSE(cache.PrepareDiskDir());
}

TEST(CacheTrust, AFolderOthersMayWriteIsNotAParent) {
  ncp::testing::TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0777), 0);
  SeccompCache cache(dir.path() + "/ncp/seccomp");
  EXPECT_FALSE(cache.PrepareDiskDir());
  EXPECT_FALSE(fs::exists(dir.path() + "/ncp"));
}

TEST(CacheTrust, AFileWithASecondLinkIsNotUsed) {
  ncp::testing::TempDir dir;
  const SeccompPolicy policy = testing::PlanFrom("include = default\n").seccomp.policy;
  FilterOrigin origin;
  {
    SeccompCache first(dir.path() + "/ncp/seccomp");
    ASSERT_TRUE(first.GetOrCompile(policy, NativeArch(), &origin).ok());
    EXPECT_EQ(origin.kind, FilterOrigin::Kind::kCompiled);
    EXPECT_EQ(origin.path, first.DiskPath(ComputeSeccompCacheKey(policy, NativeArch())));
  }
  SeccompCache second(dir.path() + "/ncp/seccomp");
  ASSERT_TRUE(second.GetOrCompile(policy, NativeArch(), &origin).ok());
  EXPECT_EQ(origin.kind, FilterOrigin::Kind::kDiskCache);
  ASSERT_TRUE(second.GetOrCompile(policy, NativeArch(), &origin).ok());
  EXPECT_EQ(origin.kind, FilterOrigin::Kind::kMemory);
  const std::string file = second.DiskPath(ComputeSeccompCacheKey(policy, NativeArch()));
  ASSERT_EQ(link(file.c_str(), (dir.path() + "/elsewhere").c_str()), 0);
  SeccompCache third(dir.path() + "/ncp/seccomp");
  ASSERT_TRUE(third.GetOrCompile(policy, NativeArch(), &origin).ok());
  EXPECT_EQ(origin.kind, FilterOrigin::Kind::kCompiled);
  EXPECT_EQ(third.stats().disk_rejects, 1u);
}

TEST(CacheTrust, AFifoUnderTheKeysNameIsRefusedNotWaitedOn) {
  ncp::testing::TempDir dir;
  const SeccompPolicy policy = testing::PlanFrom("include = strict\n").seccomp.policy;
  SeccompCache cache(dir.path() + "/ncp/seccomp");
  ASSERT_TRUE(cache.PrepareDiskDir());
  const std::string file = cache.DiskPath(ComputeSeccompCacheKey(policy, NativeArch()));
  ASSERT_EQ(mkfifo(file.c_str(), 0600), 0);
  FilterOrigin origin;
  ASSERT_TRUE(cache.GetOrCompile(policy, NativeArch(), &origin).ok());
  EXPECT_EQ(origin.kind, FilterOrigin::Kind::kCompiled);
  EXPECT_EQ(cache.stats().disk_rejects, 1u);
}

// --- bad input -------------------------------------------------------------------------------

std::string OciError(const std::string& json) {
  auto parsed = ParseOciSeccomp(json, HostOciContext());
  return parsed.ok() ? "(accepted)" : parsed.status().message();
}

TEST(OciInput, WrongTypesAreRefusedNamingTheField) {
  const std::string head = R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [)";
  EXPECT_EQ(OciError(head + R"({"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [
      {"index": 1, "value": 4294967295, "valueTwo": "21505", "op": "SCMP_CMP_MASKED_EQ"}]}]})"),
            "syscalls[0].args[0].valueTwo must be an unsigned integer");
  EXPECT_EQ(OciError(head + R"({"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [
      {"index": 1, "value": -1, "op": "SCMP_CMP_EQ"}]}]})"),
            "syscalls[0].args[0].value must be an unsigned integer");
  EXPECT_EQ(OciError(head + R"({"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [
      {"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})"),
            "syscalls[0].args[0].index must be at most 5");
  EXPECT_EQ(OciError(head + R"({"names": "read", "action": "SCMP_ACT_ALLOW"}]})"),
            "syscalls[0].names must be an array of strings");
  EXPECT_EQ(OciError(head + R"({"names": ["read"], "action": "SCMP_ACT_ERRNO",
      "errnoRet": "1"}]})"),
            "syscalls[0].errnoRet must be an unsigned integer");
  EXPECT_EQ(OciError(head + R"({"names": ["read"], "action": "SCMP_ACT_ALLOW",
      "includes": {"minKernel": "new"}}]})"),
            "syscalls[0].includes.minKernel must be a kernel version like \"5.8\"");
  EXPECT_EQ(OciError(head + R"({"names": ["read"], "action": "SCMP_ACT_ALLOW",
      "excludes": {"arches": "amd64"}}]})"),
            "syscalls[0].excludes.arches must be an array of strings");
  EXPECT_EQ(OciError(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 5000})"),
            "the document.defaultErrnoRet must be at most 4095");
}

TEST(OciInput, DeepNestingIsRefusedWhileParsing) {
  EXPECT_EQ(OciError(std::string(100000, '[') + std::string(100000, ']')),
            "nested deeper than 32 levels");
  EXPECT_EQ(OciError(R"({"defaultAction": "SCMP_ACT_ERRNO", "x": )" + std::string(40, '[') +
                     std::string(40, ']') + "}"),
            "nested deeper than 32 levels");
}

TEST(OciInput, HugeRuleCountsAreRefusedAtTheFirstRuleOverTheLimit) {
  std::string json = R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [)";
  for (int i = 0; i < 30000; ++i) {
    json += std::string(i ? "," : "") + R"({"names": ["ioctl"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 1, "value": )" +
            std::to_string(i) + R"(, "op": "SCMP_CMP_EQ"}]})";
  }
  json += "]}";
  EXPECT_EQ(OciError(json),
            "syscalls[1000]: more than 1000 conditional rules: no filter that large fits in a "
            "BPF program");
}

TEST(ProfileInput, ThirtyThousandConditionalRulesAreRefusedAtTheFirstOneOverTheLimit) {
  std::string text;
  for (int i = 0; i < 30000; ++i)
    text += "seccomp-allow = ioctl(arg1 == " + std::to_string(i) + ")\n";
  LoadedProfile loaded = ParseProfileText(text, "many.profile", {});
  ASSERT_FALSE(loaded.diagnostics.HasErrors());
  ResolveResult r = Resolve(loaded.events);
  EXPECT_EQ(r.diagnostics.Render(),
            "many.profile:1001: error: more than 1000 conditional seccomp rules (at 'ioctl'): no "
            "filter that large fits in a BPF program\n");
}

TEST(ProfileInput, AFilterThatBlocksWhatEveryProcessNeedsIsRefused) {
  ResolveOptions options;
  options.required_syscalls = EssentialSyscalls();
  options.required_syscalls.push_back({"execve", "the program form execs"});
  LoadedProfile loaded = ParseProfileText(
      "include = default\nseccomp-default = errno\nseccomp-reset\nseccomp-allow = read\n"
      "seccomp-allow = exit(arg0 == 0)\n",
      "p.profile", testing::ShippedProfiles());
  EXPECT_EQ(Resolve(loaded.events, options).diagnostics.Render(),
            "p.profile:5: error: the seccomp filter does not always allow exit_group: every "
            "process needs it to end (else it dies of SIGSEGV); add seccomp-allow = exit_group\n"
            "p.profile:5: error: the seccomp filter does not always allow exit: every thread "
            "needs it to end; add seccomp-allow = exit\n"
            "p.profile:5: error: the seccomp filter does not always allow execve: the program "
            "form execs; add seccomp-allow = execve\n");
  // An allowing default, or log, is enough; the shipped profiles pass.
  loaded = ParseProfileText("seccomp-default = log\nseccomp-allow = read\n", "p.profile", {});
  EXPECT_TRUE(Resolve(loaded.events, options).ok());
  options.required_syscalls = EssentialSyscalls();
  for (const char* name : {"default", "network", "strict", "audit"}) {
    loaded = LoadProfile(name, testing::ShippedProfiles());
    EXPECT_TRUE(Resolve(loaded.events, options).ok()) << name;
  }
}

TEST(ProfileInput, ControlCharactersInMessagesAreEscaped) {
  LoadedProfile loaded = LoadProfile(
      "evil\x1b[2J\x9b"
      "31m",
      {});
  EXPECT_EQ(loaded.diagnostics.Render(),
            "command line: error: profile 'evil\\x1b[2J\\x9b31m' not found\n");
  loaded = ParseProfileText("hostname = a\x1b]0;t\x07\n", "x\x1b.profile", {});
  ResolveResult r = Resolve(loaded.events);
  EXPECT_EQ(r.diagnostics.Render().find('\x1b'), std::string::npos) << r.diagnostics.Render();
  EXPECT_NE(r.diagnostics.Render().find("x\\x1b.profile:1: error: hostname: 'a\\x1b]0;t\\x07'"),
            std::string::npos)
      << r.diagnostics.Render();
}

TEST(TerminalText, EscapesControlsKeepsPrintableUtf8) {
  EXPECT_EQ(base::EscapeForTerminal("plain /path-1"), "plain /path-1");
  EXPECT_EQ(base::EscapeForTerminal("a\nb\tc\x7f"), "a\\x0ab\\x09c\\x7f");
  EXPECT_EQ(base::EscapeForTerminal("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
  EXPECT_EQ(base::EscapeForTerminal("\xc2\x9b"
                                    "1m"),
            "\\xc2\\x9b1m");                                     // C1 CSI
  EXPECT_EQ(base::EscapeForTerminal("\xff\xc3"), "\\xff\\xc3");  // not UTF-8
  EXPECT_EQ(base::EscapeForTerminal(std::string("a\0b", 3)), "a\\x00b");
  char small[8];
  EXPECT_EQ(base::EscapeForTerminal("ab\x1b"
                                    "cd",
                                    small, sizeof small),
            7u);
  EXPECT_STREQ(small, "ab\\x1bc");
}

}  // namespace
}  // namespace ncp::policy
