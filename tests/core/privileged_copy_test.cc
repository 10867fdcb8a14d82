// ncp-child loads the library its request names (as the child runtime, or forked by the fork
// server): a setuid copy of it would load anything as its owner, so it refuses to run at all.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/protocol/wire.h"

extern char** environ;

namespace ncp::testing {
namespace {

struct ChildRun {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs `program` with the encoded request on fd 3, collecting stdout and stderr.
ChildRun RunWithRequest(const std::string& program, const std::string& request) {
  ChildRun run;
  const int memfd = memfd_create("request", MFD_CLOEXEC);
  int out[2], err[2];
  if (memfd < 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return run;
  if (write(memfd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, memfd, 3);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::string path = program;
  char* argv[] = {path.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(memfd);
  close(out[1]);
  close(err[1]);
  char buf[4096];
  ssize_t n;
  while (rc == 0 && (n = read(out[0], buf, sizeof buf)) > 0) run.out.append(buf, n);
  while (rc == 0 && (n = read(err[0], buf, sizeof buf)) > 0) run.err.append(buf, n);
  close(out[0]);
  close(err[0]);
  if (rc == 0) waitpid(pid, &run.status, 0);
  return run;
}

TEST(PrivilegedCopy, SetuidNcpChildRefusesToLoadAnything) {
  core::WireRequest request;
  request.kind = core::ChildKind::kArgs;
  request.library = std::string(NCP_TEST_LIB_DIR) + "/libncp_test_entries.so";
  request.symbol = "SayOnStdout";
  request.params = "loaded";
  request.process_name = "t";
  request.working_directory = "/";
  const std::string bytes = core::EncodeRequest(request);
  // The installed binary itself runs the request: the refusal below is the bit's doing.
  const ChildRun plain = RunWithRequest(NCP_CHILD_PATH, bytes);
  ASSERT_EQ(plain.out, "loaded\n") << plain.err;

  const std::string dir = std::filesystem::temp_directory_path() / "ncp-setuid-XXXXXX";
  std::string templ = dir;
  ASSERT_NE(mkdtemp(templ.data()), nullptr);
  const std::string copy = templ + "/ncp-child";
  std::filesystem::copy_file(NCP_CHILD_PATH, copy);
  ASSERT_EQ(chmod(copy.c_str(), 04755), 0);
  const ChildRun run = RunWithRequest(copy, bytes);
  std::filesystem::remove_all(templ);
  ASSERT_TRUE(WIFEXITED(run.status)) << run.status;
  EXPECT_EQ(WEXITSTATUS(run.status), 125);
  EXPECT_NE(run.err.find("ncp-child: must not"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

}  // namespace
}  // namespace ncp::testing
