// NCP_SetLogCallback: the library's messages reach the application's callback instead of
// stderr; without one (or after NULL) they go to stderr as "ncp: ..." lines.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "core/child_test_support.h"
#include "core/program_test_support.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

using namespace std::chrono_literals;

struct Logged {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<NCP_LogLevel, std::string>> lines;

  // Waits for a line containing `text`; "" when none came within 20 s.
  std::pair<NCP_LogLevel, std::string> WaitFor(const std::string& text) {
    std::unique_lock lock(mu);
    std::pair<NCP_LogLevel, std::string> found{NCP_LOG_INFO, ""};
    cv.wait_for(lock, 20s, [&] {
      for (auto& line : lines) {
        if (line.second.find(text) != std::string::npos) {
          found = line;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  bool Any(const std::string& text) {
    std::lock_guard lock(mu);
    for (auto& line : lines) {
      if (line.second.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

void Record(NCP_LogLevel level, const char* message, void* data) {
  auto* logged = static_cast<Logged*>(data);
  {
    std::lock_guard lock(logged->mu);
    logged->lines.emplace_back(level, message);
  }
  logged->cv.notify_all();
}

// Points fd 2 at a file for the test's lifetime.
class StderrToFile {
 public:
  StderrToFile() : path_(dir_.path() + "/stderr") {
    base::UniqueFd file(open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    saved_.reset(fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3));
    dup2(file.get(), STDERR_FILENO);
  }
  ~StderrToFile() { dup2(saved_.get(), STDERR_FILENO); }
  std::string Text() const {
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  TempDir dir_;
  std::string path_;
  base::UniqueFd saved_;
};

// Makes sure the fork server runs, then kills it: the library logs that its children died.
void KillTheForkServer() {
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("Sleep", nullptr, nullptr, &pid), NCP_NO_ERROR);
  pid_t server = 0;
  for (pid_t child : ChildrenOfThisProcess()) {
    if (ProcessName(child).find("ncp-forkserver") != std::string::npos) server = child;
  }
  ASSERT_NE(server, 0) << "no fork server among our children";
  ASSERT_EQ(kill(server, SIGKILL), 0);
  ASSERT_EQ(NCP_WaitForChildExit(pid, -1, nullptr), NCP_NO_ERROR);
}

TEST(LogCallback, ALibraryMessageReachesTheCallbackAndNotStderr) {
  Logged logged;
  ASSERT_EQ(NCP_SetLogCallback(Record, &logged), NCP_NO_ERROR);
  {
    StderrToFile captured;
    KillTheForkServer();
    auto [level, message] = logged.WaitFor("the fork server ended");
    EXPECT_EQ(level, NCP_LOG_WARNING);
    EXPECT_EQ(message, "the fork server ended; its 1 children were killed");
    EXPECT_EQ(captured.Text().find("fork server ended"), std::string::npos);
  }
  ASSERT_EQ(NCP_SetLogCallback(nullptr, nullptr), NCP_NO_ERROR);
}

TEST(LogCallback, WithoutACallbackOrAfterNullTheLineGoesToStderr) {
  Logged logged;
  ASSERT_EQ(NCP_SetLogCallback(Record, &logged), NCP_NO_ERROR);
  ASSERT_EQ(NCP_SetLogCallback(nullptr, nullptr), NCP_NO_ERROR);
  StderrToFile captured;
  KillTheForkServer();
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text = captured.Text();
    if (text.find("fork server ended") != std::string::npos) break;
    usleep(10000);
  }
  EXPECT_NE(text.find("ncp: the fork server ended; its 1 children were killed\n"),
            std::string::npos)
      << text;
  EXPECT_FALSE(logged.Any("fork server ended"));
}

TEST(LogCallback, ALibraryChildThatCannotLoadIsReportedButAProgramsOwnStatusIsNot) {
  Logged logged;
  ASSERT_EQ(NCP_SetLogCallback(Record, &logged), NCP_NO_ERROR);
  // A program may exit 120 for its own reasons: not the library's to report.
  std::vector<std::string> argv{"probe", "exit:120"};
  std::vector<char*> args = CStrings(argv);
  base::UniqueFd null(open("/dev/null", O_WRONLY | O_CLOEXEC));
  NCP_ChildFdPlacement quiet{null.get(), 1};
  int32_t program = 0;
  ASSERT_EQ(NCP_StartChildProgram(NCP_TEST_PROGRAM_PROBE, args.data(), nullptr, nullptr, &quiet, 1,
                                  &program),
            NCP_NO_ERROR);
  ASSERT_EQ(NCP_WaitForChildExit(program, -1, nullptr), NCP_NO_ERROR);

  NativeChildProcess_Args child_args{};
  NativeChildProcess_Options options{};
  int32_t pid = 0;
  ASSERT_EQ(OH_Ability_StartNativeChildProcess("libncp_no_such_library.so:Entry", child_args,
                                               options, &pid),
            NCP_NO_ERROR);
  NCP_ChildExitInfo info{};
  info.structSize = sizeof info;
  ASSERT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_NO_ERROR);
  EXPECT_EQ(info.exitCode, NCP_CHILD_EXIT_LIBRARY_NOT_LOADED);
  const std::string expected = "child " + std::to_string(pid) +
                               " ended with status 120: its library could not be loaded "
                               "(details on its stderr)";
  auto [level, message] = logged.WaitFor(expected);
  EXPECT_EQ(message, expected);
  EXPECT_EQ(level, NCP_LOG_ERROR);
  // Ends are reported in order on one thread: the program's came first, and was not logged.
  EXPECT_FALSE(logged.Any("child " + std::to_string(program) + " "));
  ASSERT_EQ(NCP_SetLogCallback(nullptr, nullptr), NCP_NO_ERROR);
}

}  // namespace
}  // namespace ncp::testing
