// Issue 12: the shipped `default` profile bounds a sandbox. A fork bomb, a memory balloon, a
// /tmp filler and an fd hoarder each stop at the profile's limit, the child itself ends
// normally, and the application goes on starting children. Each attack runs as the test's
// user (root and nobody in CI): root's sandbox has an id of its own, so nproc holds for it too.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <sstream>
#include <string>

#include "isolated/isolated_support.h"

namespace ncp::testing {
namespace {

struct Outcome {
  std::string what;
  long count = -1;
  std::string error;
};

// "WHAT COUNT ERROR TEXT" as the abuse entries write it.
Outcome ParseOutcome(const std::string& line) {
  Outcome o;
  std::istringstream in(line);
  in >> o.what >> o.count;
  std::getline(in >> std::ws, o.error);
  if (!o.error.empty() && o.error.back() == '\n') o.error.pop_back();
  return o;
}

Outcome RunAttack(const std::string& entry, const std::string& params, const std::string& profile) {
  IsolatedRun run = RunIsolated(entry, params, profile);
  EXPECT_EQ(run.exit.exitCode, 0) << run.out;
  EXPECT_EQ(run.exit.signal, 0) << run.out;
  return ParseOutcome(run.out);
}

// A sanitizer build's runtime cannot run under a data limit: its shadow memory alone exceeds
// any (entry_mode.cc), so it applies none and the balloon is not stopped there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NCP_REQUIRE_DATA_LIMIT() GTEST_SKIP() << "a sanitizer build applies no data limit"
#else
#define NCP_REQUIRE_DATA_LIMIT() (void)0
#endif

// The application is fine after an attack: it still starts a child that runs its entry.
void ExpectTheApplicationGoesOn() {
  IsolatedRun run = RunIsolated("EchoParams", "still here", ShippedProfile("default"));
  EXPECT_EQ(run.out, "still here");
}

TEST(DefaultBounds, AForkBombStopsAtTheProcessLimit) {
  NCP_REQUIRE_USERNS();
  Outcome o = RunAttack("ForkBomb", "", ShippedProfile("default"));
  EXPECT_EQ(o.what, "forked");
  // nproc = 32 counts init, the entry's process and every thread of the sandbox.
  EXPECT_GT(o.count, 20);
  EXPECT_LT(o.count, 32);
  EXPECT_EQ(o.error, strerror(EAGAIN));
  ExpectTheApplicationGoesOn();
}

TEST(DefaultBounds, AMemoryBalloonStopsAtTheDataLimit) {
  NCP_REQUIRE_USERNS();
  NCP_REQUIRE_DATA_LIMIT();
  Outcome o = RunAttack("MemoryBalloon", "", ShippedProfile("default"));
  EXPECT_EQ(o.what, "touched");
  // data = 384M, of which the runtime and the library already use some.
  EXPECT_GE(o.count, 256);
  EXPECT_LT(o.count, 384);
  EXPECT_EQ(o.error, strerror(ENOMEM));
  ExpectTheApplicationGoesOn();
}

// The main thread's stack is not data: its own limit (red team: 1.5 GiB of stack under an
// inherited unlimited one).
TEST(DefaultBounds, AStackBalloonStopsAtTheStackLimit) {
  NCP_REQUIRE_USERNS();
  // What the sandbox would inherit without the profile's limit: as much as this process may
  // have (ctest runs each test in a process of its own, so the fork server starts with it).
  rlimit stack{};
  ASSERT_EQ(getrlimit(RLIMIT_STACK, &stack), 0);
  stack.rlim_cur = stack.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_STACK, &stack), 0);
  IsolatedRun fits = RunIsolated("StackBalloon", "4", ShippedProfile("default"));
  EXPECT_EQ(fits.out, std::string("stack 4 ") + strerror(0) + "\n");
  IsolatedRun balloon = RunIsolated("StackBalloon", "64", ShippedProfile("default"));
  EXPECT_EQ(balloon.out, "");
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer catches the overflow's SIGSEGV, reports it and exits.
  EXPECT_NE(balloon.exit.exitCode, 0);
#else
  EXPECT_EQ(balloon.exit.signal, SIGSEGV);
#endif
  ExpectTheApplicationGoesOn();
}

TEST(DefaultBounds, ATmpFillerStopsAtTheTmpfsSize) {
  NCP_REQUIRE_USERNS();
  Outcome o = RunAttack("FillFile", "/tmp/fill", ShippedProfile("default"));
  EXPECT_EQ(o.what, "wrote");
  EXPECT_GE(o.count, 60);
  EXPECT_LE(o.count, 64);
  EXPECT_EQ(o.error, strerror(ENOSPC));
  ExpectTheApplicationGoesOn();
}

TEST(DefaultBounds, AnFdHoarderStopsAtTheOpenFileLimit) {
  NCP_REQUIRE_USERNS();
  Outcome o = RunAttack("OpenFiles", "", ShippedProfile("default"));
  EXPECT_EQ(o.what, "open-files");
  EXPECT_GT(o.count, 1000);
  EXPECT_LT(o.count, 1024);
  EXPECT_EQ(o.error, strerror(EMFILE));
}

// Memory the kernel does not count as data (red team): refused by default's filter.
TEST(DefaultBounds, SharedAnonymousAndGrowsDownMappingsAreRefused) {
  NCP_REQUIRE_USERNS();
  for (const char* kind : {"shared", "growsdown"}) {
    Outcome o = RunAttack("MapUncounted", kind, ShippedProfile("default"));
    EXPECT_EQ(o.what, "map") << kind;
    EXPECT_EQ(o.count, 0) << kind;
    EXPECT_EQ(o.error, strerror(EPERM)) << kind;
  }
}

TEST(DefaultBounds, DevIsReadOnly) {
  NCP_REQUIRE_USERNS();
  Outcome o = RunAttack("FillFile", "/dev/stash", ShippedProfile("default"));
  EXPECT_EQ(o.what, "open");
  EXPECT_EQ(o.error, strerror(EROFS));
}

// Each bound is the profile's, and a profile that includes default can change it.
TEST(DefaultBounds, AProfileOverridesTheBounds) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string small_files =
      WriteProfile(dir, "small-files.profile", "include = default\nrlimit = fsize=2M\n");
  Outcome file = RunAttack("FillFile", "/tmp/fill", small_files);
  EXPECT_EQ(file.count, 2);
  EXPECT_EQ(file.error, strerror(EFBIG));

  const std::string roomier = WriteProfile(dir, "roomier.profile",
                                           "include = default\n"
                                           "rlimit = data=512M\n"
                                           "tmpfs = /scratch:8M\n");
  Outcome scratch = RunAttack("FillFile", "/scratch/fill", roomier);
  EXPECT_GE(scratch.count, 7);
  EXPECT_LE(scratch.count, 8);
  EXPECT_EQ(scratch.error, strerror(ENOSPC));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  Outcome balloon = RunAttack("MemoryBalloon", "", roomier);
  EXPECT_GE(balloon.count, 384);
  EXPECT_LT(balloon.count, 512);
#endif
}

}  // namespace
}  // namespace ncp::testing
