// What a real child sees: params, fds, args, names, load failures, nesting.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include "AbilityKit/native_child_process.h"
#include "core/child_test_support.h"
#include "ncp/native_child_process_ext.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

std::string Pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>('A' + (i * 7 + i / 13) % 26);
  return s;
}

TEST(Params, ShortParamsArriveIntact) {
  EXPECT_EQ(RunAndCapture("EchoParams", "hello, child"), "hello, child");
}

TEST(Params, NullAndEmptyBecomeEmptyStringInTheChild) {
  EXPECT_NE(RunAndCapture("ReportSelf", nullptr)
                .find("current=yes same_params=1 same_list=1 "
                      "params=[]"),
            std::string::npos);
  EXPECT_NE(RunAndCapture("ReportSelf", "").find("params=[]"), std::string::npos);
}

// OpenHarmony's parcel limit takes about 102,000 ASCII characters (conformance_test.cc pins
// the exact edge); its documentation's 150 KB does not fit in its own 204,800-byte parcel.
TEST(Params, AHundredThousandBytesArriveIntact) {
  const std::string big = Pattern(100000);
  EXPECT_EQ(RunAndCapture("EchoParams", big.c_str()), big);
}

TEST(Params, LargeParamsArriveIntactAndTheCallerMayFreeThemAtOnce) {
  std::string* big = new std::string(Pattern(100000));
  const std::string expected = *big;
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("EchoParams", big->c_str(), &fds, &pid), NCP_NO_ERROR);
  // The call copied everything: overwrite and free the caller's buffer, close the fd.
  std::fill(big->begin(), big->end(), 'z');
  delete big;
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), expected);
}

TEST(Fds, SortedByNameFirstDuplicateWinsOnlyNamedFdsOpen) {
  Pipe out = MakePipe();
  Pipe spare = MakePipe();
  int devnull = open("/dev/null", O_RDONLY);  // not CLOEXEC: must still not leak
  FdList fds;
  fds.Add("zeta", devnull).Add("out", out.write.get()).Add("alpha", spare.read.get());
  fds.Add("out", spare.write.get());  // duplicate name: dropped, the first "out" wins
  fds.Add("", devnull);               // the empty name is accepted
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("ReportFds", nullptr, &fds, &pid), NCP_NO_ERROR);
  out.write.reset();
  spare.write.reset();
  close(devnull);
  // Names in byte order, at the child's own numbers; fds 0-2 plus exactly the named ones.
  EXPECT_EQ(ReadAll(out.read.get()), "=4\nalpha=5\nout=6\nzeta=7\nopen: 0 1 2 4 5 6 7\n");
}

TEST(Fds, SixteenDistinctNamesAreAccepted) {
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  for (int i = 0; i < 15; ++i) fds.Add("n" + std::to_string(i), out.write.get());
  for (int i = 0; i < 5; ++i) fds.Add("n0", out.write.get());  // duplicates do not count
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("ReportFds", nullptr, &fds, &pid), NCP_NO_ERROR);
  out.write.reset();
  std::string report = ReadAll(out.read.get());
  EXPECT_NE(report.find("open: 0 1 2 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n"),
            std::string::npos)
      << report;
}

TEST(Fds, WritesThroughAPassedFdLandInTheParentsFile) {
  TempDir dir;
  std::string path = dir.path() + "/shared";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  FdList fds;
  fds.Add("fd1", fd);
  ExitWatcher watcher;
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("WriteSucc", "testEntryParams", &fds, &pid), NCP_NO_ERROR);
  close(fd);
  EXPECT_EQ(watcher.Wait(pid).exitCode, 0);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "SUCC");
}

TEST(CurrentArgs, TheChildSeesTheArgsItsEntryGot) {
  std::string report = RunAndCapture("ReportSelf", "p1");
  EXPECT_NE(report.find("current=yes same_params=1 same_list=1 params=[p1]"), std::string::npos)
      << report;
  EXPECT_NE(report.find("supported=0"), std::string::npos) << report;
}

TEST(Nesting, AChildCannotStartChildren) {
  EXPECT_EQ(RunAndCapture("StartFromChild"), "rc=16010005 pid=-7\n");
}

TEST(ProcessName, DefaultNameCountsRequests) {
  std::string first = RunAndCapture("ReportSelf");
  std::string second = RunAndCapture("ReportSelf");
  const std::string parent = program_invocation_short_name;
  auto cmdline = [](const std::string& report) {
    size_t at = report.find("cmdline=");
    return report.substr(at + 8, report.find('\n', at) - at - 8);
  };
  std::string a = cmdline(first), b = cmdline(second);
  const std::string prefix = parent + ":Native_libncp_test_entries";
  ASSERT_EQ(a.rfind(prefix, 0), 0u) << a;
  ASSERT_EQ(b.rfind(prefix, 0), 0u) << b;
  EXPECT_EQ(std::stoi(b.substr(prefix.size())), std::stoi(a.substr(prefix.size())) + 1);
  // comm is what the kernel keeps of the name: its first 15 bytes.
  EXPECT_NE(first.find("comm=" + a.substr(0, 15) + "\n"), std::string::npos) << first;
}

TEST(ProcessName, CustomName) {
  Ability_ChildProcessConfigs* c = OH_Ability_CreateChildProcessConfigs();
  ASSERT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(c, "abc_123"), NCP_NO_ERROR);
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  std::string entry = std::string(kTestLib) + ":ReportSelf";
  int32_t pid = 0;
  ASSERT_EQ(
      OH_Ability_StartNativeChildProcessWithConfigs(entry.c_str(), {nullptr, fds.list()}, c, &pid),
      NCP_NO_ERROR);
  OH_Ability_DestroyChildProcessConfigs(c);  // copied: may go at once
  out.write.reset();
  std::string report = ReadAll(out.read.get());
  EXPECT_NE(report.find("cmdline=" + std::string(program_invocation_short_name) + ":abc_123\n"),
            std::string::npos)
      << report;
}

TEST(LoadFailures, MissingLibraryStillReturnsAPidThenExits120) {
  ExitWatcher watcher;
  NativeChildProcess_Args none{nullptr, {nullptr}};
  int32_t pid = 0;
  ASSERT_EQ(OH_Ability_StartNativeChildProcess("libnoexisted.so:Main", none,
                                               {NCP_ISOLATION_MODE_NORMAL, 0}, &pid),
            NCP_NO_ERROR);
  EXPECT_GT(pid, 0);
  NCP_ChildExitInfo info = watcher.Wait(pid);
  EXPECT_EQ(info.exitCode, NCP_CHILD_EXIT_LIBRARY_NOT_LOADED);
  EXPECT_EQ(info.signal, 0);
}

// NCP_LIBRARY_PATH: the first folder that holds the name is the answer. A library there that
// does not load fails the child; one of the same name in a later folder is not tried.
void ExpectSearchedLoad(const std::string& first_folder_content, int exit_code,
                        const std::string& output) {
  TempDir dir;
  const std::string first = dir.path() + "/first", second = dir.path() + "/second";
  ASSERT_EQ(mkdir(first.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(second.c_str(), 0755), 0);
  std::ifstream lib(std::string(NCP_TEST_LIB_DIR) + "/libncp_test_entries.so", std::ios::binary);
  std::ofstream(second + "/libncpsearched.so", std::ios::binary) << lib.rdbuf();
  if (!first_folder_content.empty()) {
    std::ofstream(first + "/libncpsearched.so") << first_folder_content;
  }
  const std::string before = getenv("NCP_LIBRARY_PATH");
  setenv("NCP_LIBRARY_PATH", (first + ":" + second).c_str(), 1);
  ExitWatcher watcher;
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  NativeChildProcess_Args args{const_cast<char*>("searched"), fds.list()};
  int32_t pid = 0;
  const int rc = OH_Ability_StartNativeChildProcess("libncpsearched.so:EchoParams", args,
                                                    {NCP_ISOLATION_MODE_NORMAL, 0}, &pid);
  setenv("NCP_LIBRARY_PATH", before.c_str(), 1);
  ASSERT_EQ(rc, NCP_NO_ERROR);
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), output);
  EXPECT_EQ(watcher.Wait(pid).exitCode, exit_code);
}

TEST(LoadFailures, ALibraryThatDoesNotLoadInTheFirstFolderFailsTheChild) {
  ExpectSearchedLoad("not an ELF file", NCP_CHILD_EXIT_LIBRARY_NOT_LOADED, "");
}

TEST(LoadFailures, AFolderWithoutTheLibrarySendsTheSearchOn) {
  ExpectSearchedLoad("", 0, "searched");
}

TEST(LoadFailures, MissingSymbolStillReturnsAPidThenExits121) {
  ExitWatcher watcher;
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("notexisted", nullptr, nullptr, &pid), NCP_NO_ERROR);
  EXPECT_GT(pid, 0);
  EXPECT_EQ(watcher.Wait(pid).exitCode, NCP_CHILD_EXIT_SYMBOL_NOT_FOUND);
}

TEST(LoadFailures, TheChildSaysWhyInOneLineOnStderr) {
  // Run the start in a throwaway process whose stderr is a pipe we read.
  Pipe err = MakePipe();
  pid_t helper = fork();
  if (helper == 0) {
    dup2(err.write.get(), 2);
    NativeChildProcess_Args none{nullptr, {nullptr}};
    int32_t pid = 0;
    ExitWatcher watcher;
    int rc = OH_Ability_StartNativeChildProcess("libnoexisted.so:Main", none,
                                                {NCP_ISOLATION_MODE_NORMAL, 0}, &pid);
    watcher.Wait(pid);
    _exit(rc);
  }
  err.write.reset();
  std::string text = ReadAll(err.read.get());
  int status = 0;
  waitpid(helper, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(text.find("cannot load library \"libnoexisted.so\""), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

TEST(LibraryLookup, AbsolutePathWorks) {
  const char* dir = NCP_TEST_LIB_DIR;
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  std::string entry = std::string(dir) + "/" + kTestLib + ":EchoParams";
  int32_t pid = 0;
  ASSERT_EQ(
      OH_Ability_StartNativeChildProcess(entry.c_str(), {const_cast<char*>("abs"), fds.list()},
                                         {NCP_ISOLATION_MODE_NORMAL, 0}, &pid),
      NCP_NO_ERROR);
  out.write.reset();
  EXPECT_EQ(ReadAll(out.read.get()), "abs");
}

}  // namespace
}  // namespace ncp::testing
