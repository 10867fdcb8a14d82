// Mounts are resolved inside the new root: a symlink that one sandbox plants in a writable bind
// must not let the next launch mount, mkdir or create files outside every bind (the class of
// runc's CVE-2021-30465), and the sandbox's /proc is covered as runc and systemd-nspawn cover it.
#include <sys/stat.h>
#include <unistd.h>

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

// The default profile plus `options`, running `command`; a shell that forks needs vfork, wait4.
LauncherRun Launch(const std::vector<std::string>& options,
                   const std::vector<std::string>& command = {"/bin/true"}) {
  std::vector<std::string> args = {"--profile", ShippedProfile("default"), "--seccomp-allow",
                                   "vfork, wait4"};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back("--");
  args.insert(args.end(), command.begin(), command.end());
  return RunLauncher(args);
}

LauncherRun Shell(const std::vector<std::string>& options, const std::string& script) {
  return Launch(options, {"/bin/sh", "-c", script});
}

// Everything under `dir`, so a test can show that a launch changed nothing there.
std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> entries;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    entries.push_back(entry.path().string());
  }
  return entries;
}

// A host directory a sandbox must never reach, a writable bind dir, and a file to bind.
struct Layout {
  TempDir dir;
  std::string victim = dir.path() + "/victim";
  std::string work = dir.path() + "/w";
  std::string data = dir.path() + "/data";

  Layout() {
    fs::create_directories(victim);
    fs::create_directories(work);
    // Open to every id: run by root, the sandbox is a leased unprivileged host id, and mount
    // points inside a bind are created as that id, with no more right than the sandbox has.
    fs::permissions(work, fs::perms::all);
    fs::create_directories(data);
    std::ofstream(data + "/f") << "hello\n";
  }
};

// The launch must stop in build-rootfs with a message naming the destination, and leave the
// victim as it was.
void ExpectRefused(const LauncherRun& run, const std::string& destination, const std::string& why,
                   const Layout& layout) {
  EXPECT_EQ(run.exit_code(), 125) << run.err;
  EXPECT_NE(run.err.find("ncp-launch: build-rootfs: mount destination " + destination),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(why), std::string::npos) << run.err;
  EXPECT_EQ(Listing(layout.victim), std::vector<std::string>{}) << destination;
}

// Before the fix, the launcher joined "/newroot" + destination while it ran in a staging root
// that holds the host's root at /oldroot: "x -> /" then led to the host through /oldroot.
TEST(MountResolution, AbsoluteSymlinkPlantedByASandboxCannotMoveAMountOutOfTheNewRoot) {
  NCP_REQUIRE_USERNS();
  Layout layout;
  // The first sandbox, with a writable bind, plants the link.
  LauncherRun plant =
      Launch({"--seccomp-allow", "symlink, symlinkat", "--bind", layout.work + ":/w"},
             {"/bin/ln", "-s", "/", "/w/x"});
  ASSERT_EQ(plant.exit_code(), 0) << plant.err;
  ASSERT_EQ(fs::read_symlink(layout.work + "/x"), "/");
  // ... and one straight at the host path, as the staging root sees it.
  fs::create_directory_symlink("/oldroot" + layout.victim, layout.work + "/y");

  const std::string through_x = "/w/x/oldroot" + layout.victim;
  const std::string bind = layout.work + ":/w";
  const std::string why = "(at /w/x): a symlink or '..' leads outside the new root";
  ExpectRefused(Launch({"--bind", bind, "--bind", layout.data + ":" + through_x + "/bind"}),
                through_x + "/bind", why, layout);
  ExpectRefused(Launch({"--bind", bind, "--ro-bind", layout.data + ":" + through_x + "/ro-bind"}),
                through_x + "/ro-bind", why, layout);
  ExpectRefused(Launch({"--bind", bind, "--tmpfs", through_x + "/tmpfs"}), through_x + "/tmpfs",
                why, layout);
  ExpectRefused(Launch({"--bind", bind, "--ro-bind", layout.data + "/f:" + through_x + "/file"}),
                through_x + "/file", why, layout);
  ExpectRefused(Launch({"--bind", bind, "--tmpfs", "/w/y/made"}), "/w/y/made",
                "(at /w/y): a symlink or '..' leads outside the new root", layout);
}

// A dangling link as the mount point of a file: creating the mount point must not create the
// link's target.
TEST(MountResolution, DanglingSymlinkAsAFileMountPointCreatesNothing) {
  NCP_REQUIRE_USERNS();
  Layout layout;
  fs::create_symlink("/oldroot" + layout.victim + "/planted", layout.work + "/cfg");
  ExpectRefused(Launch({"--bind", layout.work + ":/w", "--ro-bind", layout.data + "/f:/w/cfg"}),
                "/w/cfg", "a symlink or '..' leads outside the new root", layout);
}

TEST(MountResolution, RelativeSymlinkAboveTheRootIsRefused) {
  NCP_REQUIRE_USERNS();
  Layout layout;
  fs::create_directory_symlink("../../..", layout.work + "/up");
  const std::string through_up = "/w/up/oldroot" + layout.victim;
  const std::string bind = layout.work + ":/w";
  const std::string why = "(at /w/up): a symlink or '..' leads outside the new root";
  ExpectRefused(Launch({"--bind", bind, "--bind", layout.data + ":" + through_up + "/bind"}),
                through_up + "/bind", why, layout);
  ExpectRefused(Launch({"--bind", bind, "--tmpfs", through_up + "/tmpfs"}), through_up + "/tmpfs",
                why, layout);
}

TEST(MountResolution, MagicLinkInADestinationIsRefused) {
  NCP_REQUIRE_USERNS();
  Layout layout;
  fs::create_directory_symlink("../hostproc/self/cwd", layout.work + "/m");
  ExpectRefused(Launch({"--ro-bind", "/proc:/hostproc", "--bind", layout.work + ":/w", "--tmpfs",
                        "/w/m/made"}),
                "/w/m/made", "goes through a magic link", layout);
}

// Relative links that stay beneath the root mean the same to the host user and to the sandbox
// as long as they stay there; they are followed (in the sandbox's view of the tree).
TEST(MountResolution, SymlinksThatStayInsideTheRootAreFollowed) {
  NCP_REQUIRE_USERNS();
  Layout layout;
  fs::create_directories(layout.work + "/inside");
  fs::permissions(layout.work + "/inside", fs::perms::all);
  fs::create_directory_symlink("inside", layout.work + "/in");
  fs::create_directory_symlink("../etc", layout.work + "/across");
  LauncherRun run = Shell({"--bind", layout.work + ":/w", "--ro-bind", layout.data + ":/w/in/data",
                           "--ro-bind", layout.data + ":/w/across/data"},
                          "cat /w/inside/data/f /etc/data/f");
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "hello\nhello\n");
  // The mount point was made inside the bind, where the sandbox may write anyway.
  EXPECT_TRUE(fs::is_directory(layout.work + "/inside/data"));
}

// Sources are host paths: a magic link among them is refused, ordinary symlinks are followed
// as on the host (an absolute one too, though the launcher runs in a staging root by then).
TEST(MountResolution, SourceThroughAMagicLinkIsRefused) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = Launch({"--ro-bind", "/proc/self/root:/x"});
  EXPECT_EQ(run.exit_code(), 125) << run.err;
  EXPECT_NE(run.err.find("ncp-launch: build-rootfs: mount source /proc/self/root: goes through "
                         "a magic link"),
            std::string::npos)
      << run.err;
}

TEST(MountResolution, AbsoluteSymlinkInASourceResolvesAsOnTheHost) {
  NCP_REQUIRE_USERNS();
  Layout layout;
  fs::create_symlink(layout.data + "/f", layout.data + "/link");
  LauncherRun run = Launch({"--ro-bind", layout.data + "/link:/cfg"}, {"/bin/cat", "/cfg"});
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "hello\n");
}

// A mount on "/" covers the new root's tmpfs: the mounts after it (the plan's, /tmp, /proc,
// /dev) must land on top of it, not underneath.
TEST(MountResolution, MountsAfterOneOnTheRootLandOnTopOfIt) {
  NCP_REQUIRE_USERNS();
  Layout layout;
  LauncherRun run =
      Shell({"--ro-bind", "/:/", "--tmpfs", "/tmp", "--ro-bind", layout.data + ":/tmp/data"},
            "echo ok >/tmp/t && cat /tmp/t /tmp/data/f && grep -c ^Pid: "
            "/proc/self/status && test -c /dev/null && echo dev");
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "ok\nhello\n1\ndev\n");
}

// ---- /proc ----

bool ExistsOnHost(const std::string& proc_entry) {
  struct stat st {};
  return lstat(("/proc/" + proc_entry).c_str(), &st) == 0;
}

// The mount options (field 6) of the mount at `mount_point` in a /proc/self/mountinfo text, or
// "" when nothing is mounted there.
std::string MountOptions(const std::string& mountinfo, const std::string& mount_point) {
  std::istringstream lines(mountinfo);
  std::string line;
  std::string options;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point, opts;
    fields >> id >> parent >> device >> root >> point >> opts;
    if (point == mount_point) options = opts;  // the last one is on top
  }
  return options;
}

const char* const kReadOnlyEntries[] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};
const char* const kMaskedFiles[] = {"kcore",      "kmsg",          "kallsyms",
                                    "keys",       "timer_list",    "timer_stats",
                                    "interrupts", "latency_stats", "sched_debug"};
const char* const kMaskedDirectories[] = {"acpi", "asound", "scsi"};

// Checks the /proc coverage a run printed with kCoverageScript.
void ExpectProcCovered(const LauncherRun& run) {
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  const std::string mountinfo = run.out.substr(0, run.out.find("--\n"));
  for (const char* entry : kReadOnlyEntries) {
    if (!ExistsOnHost(entry)) continue;
    EXPECT_EQ(MountOptions(mountinfo, std::string("/proc/") + entry).rfind("ro,", 0), 0u)
        << entry << "\n"
        << mountinfo;
  }
  for (const char* entry : kMaskedFiles) {
    if (!ExistsOnHost(entry)) continue;
    EXPECT_NE(run.out.find(std::string(entry) + "=0\n"), std::string::npos)
        << entry << " should read as empty\n"
        << run.out;
  }
  for (const char* entry : kMaskedDirectories) {
    if (!ExistsOnHost(entry)) continue;
    EXPECT_NE(run.out.find(std::string(entry) + "=/proc/" + entry + "/*\n"), std::string::npos)
        << entry << " should be an empty directory\n"
        << run.out;
  }
}

// mountinfo, "--", then NAME=bytes for each masked file and NAME=glob for each masked directory
// (an unmatched glob stays as written: the directory is empty).
const std::string kCoverageScript =
    "cat /proc/self/mountinfo; echo --; "
    "for f in kcore kmsg kallsyms keys timer_list timer_stats interrupts latency_stats "
    "sched_debug; do test -e /proc/$f && echo $f=$(cat /proc/$f 2>&1 | wc -c); done; "
    "for d in acpi asound scsi; do test -e /proc/$d && echo $d=$(echo /proc/$d/*); done; true";

TEST(ProcCoverage, TunablesAreReadOnlyAndKernelInternalsAreMasked) {
  NCP_REQUIRE_USERNS();
  ExpectProcCovered(Shell({}, kCoverageScript));
}

// Without a pid namespace the host's /proc is bound in; it is covered the same way.
TEST(ProcCoverage, TheHostsProcBoundWithoutAPidNamespaceIsCoveredToo) {
  NCP_REQUIRE_USERNS();
  ExpectProcCovered(RunLauncher({"--unshare-user", "--unshare-mount", "--ro-bind", "/usr",
                                 "--ro-bind-try", "/lib", "--ro-bind-try", "/lib64",
                                 "--ro-bind-try", "/bin", "--", "/bin/sh", "-c", kCoverageScript}));
}

// Opening a kernel tunable or the SysRq trigger for writing fails (nothing is ever written:
// on a kernel that let it through, that would change the host). Root's sandbox is stopped by
// the read-only mount (or, mapped to an unprivileged id, by permissions); others by permissions.
TEST(ProcCoverage, OpeningATunableForWritingFails) {
  NCP_REQUIRE_USERNS();
  std::string script = "exec 3>>/proc/sys/kernel/core_pattern";
  if (ExistsOnHost("sysrq-trigger")) script = "(exec 3>>/proc/sysrq-trigger); " + script;
  LauncherRun run = Shell({}, script);
  EXPECT_EQ(run.exit_code(), 2) << run.err;
  for (const char* path : {"/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger"}) {
    if (std::string(path) == "/proc/sysrq-trigger" && !ExistsOnHost("sysrq-trigger")) continue;
    const std::string prefix = std::string("cannot create ") + path + ": ";
    const bool refused = run.err.find(prefix + "Read-only file system") != std::string::npos ||
                         run.err.find(prefix + "Permission denied") != std::string::npos;
    EXPECT_TRUE(refused) << path << "\n" << run.err;
  }
}

TEST(ProcCoverage, TheProcessOwnEntriesStillWork) {
  NCP_REQUIRE_USERNS();
  LauncherRun run = Shell({},
                          "readlink /proc/self/exe; grep -c ^Pid: /proc/self/status; "
                          "cat /proc/self/cmdline | tr '\\0' ' '; echo");
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.out, "/usr/bin/readlink\n1\ncat /proc/self/cmdline \n");
}

// ---- Docker ----

// scripts/docker-seccomp.json is Docker's default plus what the launcher needs without
// CAP_SYS_ADMIN. A filter made from it (an outer ncp-launch without namespaces installs it, as
// Docker would on the container) must let ncp-launch build a whole sandbox: a mount call the
// file lacks fails here first. Not as root: the outer launcher drops root's capabilities, which
// mapping root into the inner user namespace would need.
TEST(DockerSeccomp, TheShippedProfileLetsTheLauncherBuildASandbox) {
  NCP_REQUIRE_USERNS();
  RunOptions options;
  options.as_nobody = geteuid() == 0;
  LauncherRun run =
      RunLauncher({"--seccomp-oci", NCP_SOURCE_DIR "/scripts/docker-seccomp.json", "--",
                   NCP_LAUNCH_PATH, "--profile", ShippedProfile("default"), "--", "/bin/true"},
                  options);
  EXPECT_EQ(run.exit_code(), 0) << run.err;
  EXPECT_EQ(run.err.find("ncp-launch:"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace ncp::testing
