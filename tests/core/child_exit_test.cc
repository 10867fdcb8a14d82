// How an args-type child ends once its entry returns: quick_exit(0) as OpenHarmony
// (startup_appspawn common/appspawn_server.c, ProcessExit), so no atexit handler or static
// destructor of the child's libraries runs; stdio is flushed first, so nothing is lost.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "AbilityKit/native_child_process.h"
#include "core/child_test_support.h"
#include "ncp/native_child_process_ext.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

TEST(ChildExit, NoAtexitHandlerNorStaticDestructorRunsAndTheStatusIsZero) {
  ExitWatcher watcher;
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("ExitHooksEntry", nullptr, &fds, &pid), NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  out.write.reset();
  // With exit(0) this would also hold "atexit", "static destructor" and "destructor".
  EXPECT_EQ(ReadAll(out.read.get()), "entry\n");
  NCP_ChildExitInfo info = watcher.Wait(pid);
  EXPECT_EQ(info.pid, pid);
  EXPECT_EQ(info.exitCode, 0);
  EXPECT_EQ(info.signal, 0);
}

TEST(ChildExit, PrintfWithoutNewlineIsNotLostWhenStdoutIsAPipe) {
  ExitWatcher watcher;
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("stdout", out.write.get());
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("PrintfNoNewlineEntry", "buffered, no newline", &fds, &pid), NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), "buffered, no newline");
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
}

TEST(ChildExit, PrintfWithoutNewlineIsNotLostWhenStdoutIsAFile) {
  TempDir dir;
  const std::string path = dir.path() + "/stdout";
  base::UniqueFd file(open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  ASSERT_TRUE(file.valid());
  ExitWatcher watcher;
  FdList fds;
  fds.Add("stdout", file.get());
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("PrintfNoNewlineEntry", "to a file, no newline", &fds, &pid), NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  // The exit is reported once the child is reaped: everything it wrote is in the file by then.
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
  char buffer[128] = {};
  const ssize_t n = pread(file.get(), buffer, sizeof buffer - 1, 0);
  EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "to a file, no newline");
}

}  // namespace
}  // namespace ncp::testing
