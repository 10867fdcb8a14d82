// Issue 9 items 3 and 6 end to end: policy state a sandbox cannot rewrite, and bad input that
// is refused with a message instead of hanging or crashing the launcher. Each test sets its
// own HOME. NCP_TEST_LAUNCHER runs them against another ncp-launch (e.g. an older build).
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_launcher.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

namespace fs = std::filesystem;

// Runs ncp-launch with HOME = `home` and no XDG folders; a hang ends in SIGALRM, not a stuck
// test.
// `xdg_cache` / `xdg_config`: XDG_CACHE_HOME / XDG_CONFIG_HOME, unset when empty.
LauncherRun RunWithHome(const std::vector<std::string>& args, const std::string& home,
                        const std::string& xdg_cache = "", const std::string& xdg_config = "") {
  RunOptions options;
  if (const char* other = std::getenv("NCP_TEST_LAUNCHER")) options.binary = other;
  options.before_exec = [home, xdg_cache, xdg_config] {
    setenv("HOME", home.c_str(), 1);
    for (const auto& [name, value] :
         {std::pair{"XDG_CACHE_HOME", xdg_cache}, std::pair{"XDG_CONFIG_HOME", xdg_config}}) {
      if (value.empty()) {
        unsetenv(name);
      } else {
        setenv(name, value.c_str(), 1);
      }
    }
    alarm(30);
  };
  return RunLauncher(args, options);
}

// The red team's sandboxes as root run as host root (--host-root, where the launcher has it):
// the strongest attacker, whom owner checks do not stop; only the read-only covers do.
std::vector<std::string> AsStrongAsPossible(std::vector<std::string> args) {
  if (geteuid() != 0) return args;
  RunOptions options;
  if (const char* other = std::getenv("NCP_TEST_LAUNCHER")) options.binary = other;
  if (RunLauncher({"--help"}, options).out.find("--host-root") != std::string::npos) {
    args.insert(args.begin(), "--host-root");
  }
  return args;
}

// A HOME that only this test's user may write, as a real one is.
std::string MakeHome(const TempDir& dir) {
  const std::string home = dir.path() + "/home";
  EXPECT_EQ(mkdir(home.c_str(), 0700), 0);
  return home;
}

// The program `mkdir /tmp/x` fails under the shipped default filter (EPERM, exit 1) and
// succeeds without it: which filter really ran.
const std::vector<std::string> kProbe = {"--profile", "default", "--", "/bin/mkdir", "/tmp/x"};

// The cache file the probe's filter is kept in: --verbose says so; else the old place.
std::string CacheFileOf(const LauncherRun& run, const std::string& home) {
  for (const std::string& marker : {std::string("stored in "), std::string("disk cache ")}) {
    if (size_t at = run.err.find(marker); at != std::string::npos) {
      at += marker.size();
      return run.err.substr(at, run.err.find('\n', at) - at);
    }
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(home + "/.cache/ncp/seccomp", ec)) {
    if (entry.path().extension() == ".bpf") return entry.path().string();
  }
  return "";
}

// The same file with its program replaced by "allow everything", the key kept.
std::string AllowAll(const std::string& original) {
  std::string bytes = original.substr(0, 48);
  bytes[40] = 1, bytes[41] = 0, bytes[42] = 0, bytes[43] = 0;  // one instruction
  const sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  bytes.append(reinterpret_cast<const char*>(&allow), sizeof allow);
  return bytes;
}

// Runs the probe once so that its filter is in the disk cache; gives the cache file, its
// bytes, and `dir`/evil.bpf: the same file allowing everything, for a sandbox to plant.
void CacheTheProbesFilter(const TempDir& dir, const std::string& home, std::string* cache_file,
                          std::string* original) {
  // A user's cache is in its passwd home (root's: /var/cache): a test must not attack a real
  // user's files; root's runs cover the same protections.
  if (geteuid() != 0) GTEST_SKIP() << "the user's disk cache is in its real home";
  std::vector<std::string> warm = kProbe;
  warm.insert(warm.begin(), "--verbose");
  LauncherRun first = RunWithHome(warm, home);
  ASSERT_EQ(first.exit_code(), 1) << first.err;
  *cache_file = CacheFileOf(first, home);
  ASSERT_FALSE(cache_file->empty()) << first.err;
  *original = ReadFileText(*cache_file);
  ASSERT_GT(original->size(), 48u);
  std::ofstream(dir.path() + "/evil.bpf", std::ios::binary) << AllowAll(*original);
  chmod(dir.path().c_str(), 0755);
}

// The next start with the shipped default still gets its filter: mkdir is refused.
void ExpectTheNextProbeRefused(const std::string& home) {
  LauncherRun next = RunWithHome(kProbe, home);
  EXPECT_EQ(next.exit_code(), 1) << "the next start ran without the shipped filter\n" << next.err;
  EXPECT_NE(next.err.find("Operation not permitted"), std::string::npos) << next.err;
}

TEST(PolicyState, ASandboxWithAWritableHomeCannotRewriteTheFilterCache) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string home = MakeHome(dir);
  std::string cache_file, original;
  ASSERT_NO_FATAL_FAILURE(CacheTheProbesFilter(dir, home, &cache_file, &original));
  if (IsSkipped()) return;

  // The red team's sandbox: the folder holding the cache bound writable (the user's HOME; for
  // root, whose cache is not under HOME, /var/cache).
  const std::string writable = cache_file.starts_with(home + "/") ? home : "/var/cache";
  const std::string inside = "/victim" + cache_file.substr(writable.size());
  LauncherRun attack =
      RunWithHome(AsStrongAsPossible({"--profile", "default", "--no-seccomp", "--ro-bind",
                                      dir.path() + "/evil.bpf:/evil.bpf", "--bind",
                                      writable + ":/victim", "--", "/bin/sh", "-c",
                                      // in place: owner and mode stay what the cache expects
                                      "cat /evil.bpf > " + inside}),
                  home);
  EXPECT_TRUE(attack.exited()) << attack.err;
  EXPECT_NE(attack.err.find("Read-only file system"), std::string::npos) << attack.err;
  EXPECT_EQ(ReadFileText(cache_file), original);

  ExpectTheNextProbeRefused(home);
}

// The red team's second try: the cache folder is read-only, so move a folder above it aside
// (the read-only mount moves with it) and build a forged cache in its place.
TEST(PolicyState, ASandboxCannotMoveTheCacheAsideAndPutAForgedOneInItsPlace) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string home = MakeHome(dir);
  std::string cache_file, original;
  ASSERT_NO_FATAL_FAILURE(CacheTheProbesFilter(dir, home, &cache_file, &original));
  if (IsSkipped()) return;

  const std::string writable = cache_file.starts_with(home + "/") ? home : "/var/cache";
  const std::string cache_dir = fs::path(cache_file).parent_path().string();
  // Every folder from the one below the bind down to the cache itself: a move that works is
  // undone at once (root's real /var/cache must survive a failing test) and reported.
  std::string script;
  for (fs::path part = fs::path(cache_dir); part.string().size() > writable.size();
       part = part.parent_path()) {
    const std::string inside = "/victim" + part.string().substr(writable.size());
    script += "if mv " + inside + " " + inside + ".aside; then mv " + inside + ".aside " + inside +
              "; echo MOVED " + inside + "; fi; rmdir " + inside + " && echo REMOVED " + inside +
              "; ";
  }
  if (writable == home) {
    // In a HOME the forgery itself is harmless to the machine: try it whole.
    const std::string forged = "/victim" + cache_file.substr(writable.size());
    // umask 077: the forged file must pass the cache's owner and mode checks.
    script += "umask 077; mv /victim/.cache /victim/.cache.old; mkdir -p " +
              fs::path(forged).parent_path().string() + " && cat /evil.bpf > " + forged + "; ";
  }
  LauncherRun attack =
      RunWithHome(AsStrongAsPossible({"--profile", "default", "--no-seccomp", "--ro-bind",
                                      dir.path() + "/evil.bpf:/evil.bpf", "--bind",
                                      writable + ":/victim", "--", "/bin/sh", "-c", script}),
                  home);
  EXPECT_TRUE(attack.exited()) << attack.err;
  EXPECT_EQ(attack.out.find("MOVED"), std::string::npos) << attack.out;
  EXPECT_EQ(attack.out.find("REMOVED"), std::string::npos) << attack.out;
  EXPECT_NE(attack.err.find("Device or resource busy"), std::string::npos) << attack.err;
  EXPECT_TRUE(ReadFileText(cache_file) == original) << "the sandbox replaced " << cache_file;

  ExpectTheNextProbeRefused(home);
}

// The cache never follows HOME or XDG_CACHE_HOME: a start with another environment would
// otherwise trust a folder this start's sandboxes were free to write.
TEST(PolicyState, TheCacheDoesNotFollowTheEnvironment) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string home = MakeHome(dir);
  ASSERT_EQ(mkdir((home + "/cache").c_str(), 0700), 0);
  std::vector<std::string> probe = kProbe;
  probe.insert(probe.begin(), "--verbose");
  LauncherRun run = RunWithHome(probe, home, home + "/cache");
  EXPECT_EQ(run.exit_code(), 1) << run.err;
  EXPECT_NE(run.err.find("seccomp filter: "), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(home), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(home + "/cache/ncp")) << "the cache followed XDG_CACHE_HOME";
  EXPECT_FALSE(fs::exists(home + "/.cache")) << "the cache followed HOME";
}

TEST(PolicyState, AMissingPolicyFolderASandboxCouldCreateStopsTheStart) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string home = MakeHome(dir);
  chmod(dir.path().c_str(), 01777);
  const std::string missing = dir.path() + "/xdg-config";
  LauncherRun attack =
      RunWithHome({"--profile", "default", "--no-seccomp", "--bind", dir.path() + ":/d", "--",
                   "/bin/sh", "-c", "mkdir -p -m 700 /d/xdg-config/ncp/profiles"},
                  home, "", missing);
  EXPECT_EQ(attack.exit_code(), 125) << attack.err;
  EXPECT_NE(attack.err.find("create it (mkdir -p -m 0700 " + missing + "/ncp/profiles)"),
            std::string::npos)
      << attack.err;
  EXPECT_FALSE(fs::exists(missing));
}

// The profile folder reached through a symlink inside the writable bind: the sandbox could
// point the symlink at a folder of its own, so such a bind is refused.
TEST(PolicyState, ASymlinkOnTheWayToPolicyStateInAWritableBindStopsTheStart) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string home = MakeHome(dir);
  ASSERT_EQ(mkdir((home + "/real-config").c_str(), 0700), 0);
  ASSERT_EQ(symlink("real-config", (home + "/config-link").c_str()), 0);
  LauncherRun run = RunWithHome(
      {"--profile", "default", "--no-seccomp", "--bind", home + ":/victim", "--", "/bin/true"},
      home, "", home + "/config-link");
  EXPECT_EQ(run.exit_code(), 125) << run.err;
  EXPECT_NE(run.err.find("holds the symlink " + home + "/config-link on the way to"),
            std::string::npos)
      << run.err;
}

// The cache's folder mounted a second time elsewhere on the host: a bind of that alias exposes
// the same files and gets the same covers (found by identity, not by path).
TEST(PolicyState, ABindOfAnotherMountOfTheCacheFolderIsCoveredToo) {
  NCP_REQUIRE_USERNS();
  if (geteuid() != 0) GTEST_SKIP() << "making the alias needs mount(2)";
  TempDir dir;
  ASSERT_EQ(RunWithHome({"--profile", "default", "--", "/bin/true"}, dir.path()).exit_code(), 0);
  const std::string alias = dir.path() + "/alias";
  ASSERT_EQ(mkdir(alias.c_str(), 0700), 0);
  if (mount("/var/cache", alias.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    // Root in a container has no CAP_SYS_ADMIN: it cannot make the alias.
    ASSERT_EQ(errno, EPERM) << strerror(errno);
    GTEST_SKIP() << "mount(2) refused here (no CAP_SYS_ADMIN, as in a container)";
  }
  const std::string probe = "probe-" + std::to_string(getpid());
  LauncherRun run = RunWithHome(
      AsStrongAsPossible(
          {"--profile", "default", "--no-seccomp", "--bind", alias + ":/mnt", "--", "/bin/sh", "-c",
           "touch /mnt/ncp/seccomp/" + probe + "; mv /mnt/ncp /mnt/ncp.aside; true"}),
      dir.path());
  const bool planted = fs::exists("/var/cache/ncp/seccomp/" + probe);
  if (planted) unlink(("/var/cache/ncp/seccomp/" + probe).c_str());
  if (fs::exists("/var/cache/ncp.aside")) rename("/var/cache/ncp.aside", "/var/cache/ncp");
  umount2(alias.c_str(), MNT_DETACH);
  EXPECT_FALSE(planted) << "the sandbox wrote root's cache through the alias";
  EXPECT_NE(run.err.find("Read-only file system"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Device or resource busy"), std::string::npos) << run.err;
}

// Root's sandboxes lease their host ids through lock files; deleting a running sandbox's lock
// would hand its ids to the next one.
TEST(PolicyState, TheHostIdLeasesAreReadOnlyInASandbox) {
  NCP_REQUIRE_USERNS();
  if (geteuid() != 0) GTEST_SKIP() << "only root leases host ids";
  TempDir dir;
  LauncherRun run =
      RunWithHome(AsStrongAsPossible(
                      {"--profile", "default", "--no-seccomp", "--bind", "/run:/r", "--", "/bin/sh",
                       "-c", "touch /r/ncp/host-ids/planted; mv /r/ncp /r/ncp.aside; true"}),
                  dir.path());
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(run.err.find("Read-only file system"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Device or resource busy"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists("/run/ncp/host-ids/planted"));
  EXPECT_TRUE(fs::exists("/run/ncp/host-ids"));
}

// A profile given by path, in a folder the sandbox may write: neither rewritten nor replaced.
TEST(PolicyState, AProfileFileInAWritableBindCannotBeRewrittenOrReplaced) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string home = MakeHome(dir);
  const std::string project = dir.path() + "/project";
  ASSERT_EQ(mkdir(project.c_str(), 0700), 0);
  const std::string profile = project + "/app.profile";
  std::ofstream(profile) << "include = default\n";
  const std::string weaker = "include = default\nno-seccomp\n";
  LauncherRun attack = RunWithHome(
      AsStrongAsPossible({"--profile", profile, "--no-seccomp", "--bind", project + ":/p", "--",
                          "/bin/sh", "-c",
                          "printf '" + weaker + "' > /p/app.profile; printf '" + weaker +
                              "' > /p/new; mv -f /p/new /p/app.profile; rm -f /p/app.profile; "
                              "true"}),
      home);
  EXPECT_EQ(attack.exit_code(), 0) << attack.err;
  EXPECT_NE(attack.err.find("Read-only file system"), std::string::npos) << attack.err;
  EXPECT_NE(attack.err.find("Device or resource busy"), std::string::npos) << attack.err;
  EXPECT_EQ(ReadFileText(profile), "include = default\n");

  LauncherRun next = RunWithHome({"--profile", profile, "--", "/bin/mkdir", "/tmp/x"}, home);
  EXPECT_EQ(next.exit_code(), 1) << next.err;
  EXPECT_NE(next.err.find("Operation not permitted"), std::string::npos) << next.err;
}

TEST(PolicyState, AProfilePlantedInTheUsersFolderDoesNotShadowAShippedName) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string home = MakeHome(dir);
  const std::string planted = "include = " + ShippedProfile("default") + "\nno-seccomp\n";
  LauncherRun attack = RunWithHome(
      AsStrongAsPossible({"--profile", "default", "--no-seccomp", "--bind", home + ":/victim", "--",
                          "/bin/sh", "-c",
                          "mkdir -p /victim/.config/ncp/profiles && printf '" + planted +
                              "' > /victim/.config/ncp/profiles/default.profile"}),
      home);
  // The folder was made before the sandbox ran, and is read-only inside it.
  EXPECT_EQ(attack.exit_code(), 2) << attack.err;
  EXPECT_NE(attack.err.find("Read-only file system"), std::string::npos) << attack.err;
  EXPECT_FALSE(fs::exists(home + "/.config/ncp/profiles/default.profile"));
  // Planted anyway (outside any sandbox): a shipped name still wins.
  std::ofstream(home + "/.config/ncp/profiles/default.profile") << planted;

  LauncherRun next = RunWithHome(kProbe, home);
  EXPECT_EQ(next.exit_code(), 1) << "the planted profile replaced the shipped one\n" << next.err;
  EXPECT_NE(next.err.find("ignoring '" + home + "/.config/ncp/profiles/default.profile': " +
                          "'default' is a shipped profile"),
            std::string::npos)
      << next.err;
  // A path still reads the user's file, for whoever means it.
  LauncherRun by_path =
      RunWithHome({"--profile", home + "/.config/ncp/profiles/default.profile", "--check"}, home);
  EXPECT_EQ(by_path.exit_code(), 0) << by_path.err;
  EXPECT_NE(by_path.out.find("seccomp: none"), std::string::npos) << by_path.out;
}

TEST(PolicyState, CheckSaysWhereTheProfileAndTheFilterCameFrom) {
  TempDir dir;
  const std::string home = MakeHome(dir);
  LauncherRun run = RunWithHome({"--profile", "default", "--check"}, home);
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_NE(
      run.out.find("profile: " + fs::canonical(ShippedProfile("default")).string() + " (shipped)"),
      std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("seccomp filter: "), std::string::npos) << run.out;
}

TEST(PolicyState, AMissingHomeIsNotCreated) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  chmod(dir.path().c_str(), 0755);
  const std::string gone = dir.path() + "/gone";
  LauncherRun run = RunWithHome({"--profile", "default", "--", "/bin/true"}, gone + "/home");
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_FALSE(fs::exists(gone)) << "the launcher created " << gone;
}

TEST(BadInput, AFifoAsProfileOrOciJsonIsRefusedNotWaitedOn) {
  TempDir dir;
  const std::string fifo = dir.path() + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  LauncherRun profile = RunWithHome({"--profile", fifo, "--check"}, dir.path());
  EXPECT_EQ(profile.exit_code(), 125) << "signal " << profile.signal();
  EXPECT_NE(profile.err.find("'" + fifo + "' is not a regular file"), std::string::npos)
      << profile.err;
  LauncherRun oci = RunWithHome({"--seccomp-oci", fifo, "--check"}, dir.path());
  EXPECT_EQ(oci.exit_code(), 125) << "signal " << oci.signal();
  EXPECT_NE(oci.err.find("seccomp-oci: " + fifo + ": not a regular file"), std::string::npos)
      << oci.err;
}

TEST(BadInput, DeeplyNestedOciJsonIsRefused) {
  TempDir dir;
  const std::string json = dir.path() + "/deep.json";
  std::ofstream(json) << std::string(100000, '[') << std::string(100000, ']');
  LauncherRun run = RunWithHome({"--seccomp-oci", json, "--check"}, dir.path());
  EXPECT_EQ(run.exit_code(), 125) << "signal " << run.signal();
  EXPECT_NE(run.err.find("nested deeper than 32 levels"), std::string::npos) << run.err;
}

TEST(BadInput, AFilterThatBlocksExitIsRefusedBeforeAnythingStarts) {
  TempDir dir;
  LauncherRun run = RunWithHome(
      {"--profile", "default", "--seccomp-default", "errno", "--seccomp-reset", "--", "/bin/true"},
      dir.path());
  EXPECT_EQ(run.exit_code(), 125) << "signal " << run.signal();
  EXPECT_NE(run.err.find("error: the seccomp filter does not always allow exit_group: every "
                         "process needs it to end"),
            std::string::npos)
      << run.err;
}

TEST(BadInput, ControlCharactersInANameAreEscaped) {
  TempDir dir;
  LauncherRun run = RunWithHome({"--profile", "x\x1b]0;owned\x07\x1b[31m", "--check"}, dir.path());
  EXPECT_EQ(run.exit_code(), 125);
  EXPECT_NE(run.err.find("profile 'x\\x1b]0;owned\\x07\\x1b[31m' not found"), std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find('\x1b'), std::string::npos);
  EXPECT_EQ(run.err.find('\x07'), std::string::npos);
}

}  // namespace
}  // namespace ncp::testing
