// NCP_WaitForChildExit and NCP_OpenChildPidfd: the record of one child's end, with or without
// a timeout, for children that are running, ended, unknown or waited on twice; a pidfd to poll.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/child_test_support.h"
#include "core/program_test_support.h"

namespace ncp::testing {
namespace {

constexpr char kProbe[] = NCP_TEST_PROGRAM_PROBE;

NCP_ChildExitInfo EmptyInfo() {
  NCP_ChildExitInfo info{};
  info.structSize = sizeof info;
  return info;
}

// Starts the probe with `argv` and its report on /dev/null; fd 5 is `blocker` when given (it
// reads it to EOF first).
int32_t StartProbe(std::vector<std::string> argv, int blocker = -1) {
  std::vector<char*> args = CStrings(argv);
  base::UniqueFd null(open("/dev/null", O_WRONLY | O_CLOEXEC));
  std::vector<NCP_ChildFdPlacement> fds{{null.get(), 1}};
  if (blocker >= 0) fds.push_back({blocker, 5});
  int32_t pid = 0;
  EXPECT_EQ(
      NCP_StartChildProgram(kProbe, args.data(), nullptr, nullptr, fds.data(), fds.size(), &pid),
      NCP_NO_ERROR)
      << NCP_GetLastErrorMessage();
  return pid;
}

TEST(WaitForChildExit, ReturnsTheFullRecordOfTheEnd) {
  const int32_t pid = StartProbe({"probe", "exit:3"});
  NCP_ChildExitInfo info = EmptyInfo();
  ASSERT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(info.structSize, sizeof info);
  EXPECT_EQ(info.pid, pid);
  EXPECT_EQ(info.exitCode, 3);
  EXPECT_EQ(info.signal, 0);
  EXPECT_FALSE(info.coreDumped);
  EXPECT_GT(info.maxRssKiB, 0);
}

// A caller built against 0.1's header passes the smaller struct it knows (no `cause` and
// after): it gets those fields, and nothing past them is written.
TEST(WaitForChildExit, AnOlderCallersSmallerStructGetsTheFieldsItKnows) {
  const int32_t pid = StartProbe({"probe", "exit:5"});
  constexpr size_t kOld = offsetof(NCP_ChildExitInfo, cause);
  NCP_ChildExitInfo info;
  memset(&info, 0xab, sizeof info);
  info.structSize = kOld;
  ASSERT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(info.structSize, kOld);
  EXPECT_EQ(info.exitCode, 5);
  EXPECT_EQ(info.cause, static_cast<int32_t>(0xabababab)) << "written past the caller's struct";
  info.structSize = kOld - 1;
  EXPECT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_ERR_INVALID_PARAM);
  // The current size gets the cause too.
  NCP_ChildExitInfo full = EmptyInfo();
  ASSERT_EQ(NCP_WaitForChildExit(pid, -1, &full), NCP_NO_ERROR);
  EXPECT_EQ(full.cause, NCP_EXIT_CAUSE_EXITED);
  EXPECT_EQ(full.syscallNumber, -1);
}

TEST(WaitForChildExit, WorksForLibraryChildrenToo) {
  int32_t pid = 0;
  ASSERT_EQ(StartEntry("Sleep", nullptr, nullptr, &pid), NCP_NO_ERROR);
  ASSERT_EQ(OH_Ability_KillChildProcess(pid), NCP_NO_ERROR);
  NCP_ChildExitInfo info = EmptyInfo();
  ASSERT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_NO_ERROR);
  EXPECT_EQ(info.signal, SIGKILL);
  EXPECT_EQ(info.exitCode, -1);
}

TEST(WaitForChildExit, ARunningChildTimesOutThenEndsWithItsRecord) {
  Pipe blocker = MakePipe();
  const int32_t pid = StartProbe({"probe", "read:5", "exit:4"}, blocker.read.get());
  NCP_ChildExitInfo info = EmptyInfo();
  EXPECT_EQ(NCP_WaitForChildExit(pid, 0, &info), NCP_ERR_TIMEOUT);
  EXPECT_EQ(NCP_WaitForChildExit(pid, 30, &info), NCP_ERR_TIMEOUT);
  EXPECT_EQ(info.pid, 0) << "a timeout writes nothing";
  blocker.write.reset();  // the probe reads EOF and exits 4
  ASSERT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_NO_ERROR);
  EXPECT_EQ(info.exitCode, 4);
}

TEST(WaitForChildExit, TwoWaitersGetTheSameRecordAndALaterWaitToo) {
  Pipe blocker = MakePipe();
  const int32_t pid = StartProbe({"probe", "read:5", "exit:9"}, blocker.read.get());
  NCP_ChildExitInfo first = EmptyInfo(), second = EmptyInfo(), later = EmptyInfo();
  int first_code = -1, second_code = -1;
  std::thread a([&] { first_code = NCP_WaitForChildExit(pid, -1, &first); });
  std::thread b([&] { second_code = NCP_WaitForChildExit(pid, 60000, &second); });
  blocker.write.reset();
  a.join();
  b.join();
  EXPECT_EQ(first_code, NCP_NO_ERROR);
  EXPECT_EQ(second_code, NCP_NO_ERROR);
  EXPECT_EQ(first.exitCode, 9);
  EXPECT_EQ(second.exitCode, 9);
  // The end is kept: waiting again, even without time, returns it at once.
  ASSERT_EQ(NCP_WaitForChildExit(pid, 0, &later), NCP_NO_ERROR);
  EXPECT_EQ(later.exitCode, 9);
  EXPECT_EQ(later.userTimeUs, first.userTimeUs);
  EXPECT_EQ(NCP_WaitForChildExit(pid, 0, nullptr), NCP_NO_ERROR) << "info may be NULL";
}

// The library's calls are not cancellation points (base/no_cancellation.h): a thread cancelled
// while it waits for a child's end goes on waiting, gets the record, and is cancelled at its
// next cancellation point. Before, the cancellation unwound through a noexcept wait and the
// process was terminated (SIGABRT).
TEST(WaitForChildExit, AThreadCancelledWhileWaitingIsCancelledAfterTheCall) {
  Pipe blocker = MakePipe();
  const int32_t pid = StartProbe({"probe", "read:5", "exit:6"}, blocker.read.get());
  ASSERT_GT(pid, 0);
  struct Shared {
    int32_t pid;
    std::atomic<int> cleanups{0};
    std::atomic<int> rc{-1};
    std::atomic<int> exit_code{-1};
  } shared;
  shared.pid = pid;
  pthread_t waiter;
  ASSERT_EQ(pthread_create(
                &waiter, nullptr,
                [](void* raw) -> void* {
                  auto* s = static_cast<Shared*>(raw);
                  pthread_cleanup_push([](void* c) { ++static_cast<Shared*>(c)->cleanups; }, s);
                  NCP_ChildExitInfo info = EmptyInfo();
                  s->rc = NCP_WaitForChildExit(s->pid, -1, &info);
                  s->exit_code = info.exitCode;
                  pthread_testcancel();  // the cancellation requested meanwhile takes effect
                  pthread_cleanup_pop(0);
                  return nullptr;
                },
                &shared),
            0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // it is waiting by now
  ASSERT_EQ(pthread_cancel(waiter), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(shared.rc.load(), -1) << "the wait returned before the child ended";
  blocker.write.reset();  // the probe reads EOF and exits 6
  void* result = nullptr;
  ASSERT_EQ(pthread_join(waiter, &result), 0);
  EXPECT_EQ(result, PTHREAD_CANCELED);
  EXPECT_EQ(shared.cleanups.load(), 1);
  EXPECT_EQ(shared.rc.load(), NCP_NO_ERROR);
  EXPECT_EQ(shared.exit_code.load(), 6);
}

TEST(WaitForChildExit, UnknownPidsAreInvalidPid) {
  NCP_ChildExitInfo info = EmptyInfo();
  EXPECT_EQ(NCP_WaitForChildExit(getpid(), -1, &info), NCP_ERR_INVALID_PID);
  EXPECT_EQ(NCP_WaitForChildExit(-1, 0, &info), NCP_ERR_INVALID_PID);
  EXPECT_EQ(NCP_WaitForChildExit(0, 100, &info), NCP_ERR_INVALID_PID);
}

TEST(WaitForChildExit, ASmallStructSizeIsInvalidParam) {
  const int32_t pid = StartProbe({"probe"});
  NCP_ChildExitInfo info{};
  info.structSize = 0;
  EXPECT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_ERR_INVALID_PARAM);
  info.structSize = offsetof(NCP_ChildExitInfo, maxRssKiB);
  EXPECT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_WaitForChildExit(pid, -1, nullptr), NCP_NO_ERROR);
}

// Ends are delivered on one thread; a callback that waited there for another end would never
// see it.
struct CallbackWaits {
  std::atomic<int32_t> running_pid{0};
  std::atomic<int> wait_running{-1};
  std::atomic<int> wait_ended{-1};
  std::atomic<int32_t> ended_pid{0};
};

void WaitInsideCallback(const NCP_ChildExitInfo* info, void* data) {
  auto* waits = static_cast<CallbackWaits*>(data);
  if (info->pid == waits->running_pid.load()) return;
  NCP_ChildExitInfo record = EmptyInfo();
  waits->wait_running = NCP_WaitForChildExit(waits->running_pid, -1, &record);
  waits->wait_ended = NCP_WaitForChildExit(info->pid, 0, &record);
  waits->ended_pid = record.pid;
}

TEST(WaitForChildExit, InsideAnExitCallbackWaitingForARunningChildIsBusy) {
  Pipe blocker = MakePipe();
  CallbackWaits waits;
  waits.running_pid = StartProbe({"probe", "read:5"}, blocker.read.get());
  ASSERT_EQ(NCP_RegisterChildExitCallback(WaitInsideCallback, &waits), NCP_NO_ERROR);
  const int32_t ends = StartProbe({"probe"});
  ASSERT_EQ(NCP_WaitForChildExit(ends, -1, nullptr), NCP_NO_ERROR);
  // The record is known to waiters before the callbacks run: wait for the callback itself.
  for (int i = 0; i < 2000 && waits.ended_pid.load() == 0; ++i) usleep(10000);
  ASSERT_EQ(NCP_UnregisterChildExitCallback(WaitInsideCallback, &waits), NCP_NO_ERROR);
  EXPECT_EQ(waits.wait_running.load(), NCP_ERR_BUSY);
  EXPECT_EQ(waits.wait_ended.load(), NCP_NO_ERROR) << "an ended child's record is at hand";
  EXPECT_EQ(waits.ended_pid.load(), ends);
  blocker.write.reset();
  EXPECT_EQ(NCP_WaitForChildExit(waits.running_pid, -1, nullptr), NCP_NO_ERROR);
}

TEST(WaitForChildExit, OnlyTheLast1024EndsAreKept) {
  const int32_t oldest = StartProbe({"probe"});
  ASSERT_EQ(NCP_WaitForChildExit(oldest, -1, nullptr), NCP_NO_ERROR);
  int32_t newest = 0;
  for (int i = 0; i < 1024; ++i) {
    newest = StartProbe({"probe"});
    ASSERT_EQ(NCP_WaitForChildExit(newest, -1, nullptr), NCP_NO_ERROR) << i;
  }
  // Unless the pid was recycled by one of the 1024 (then it names that child's end).
  NCP_ChildExitInfo info = EmptyInfo();
  const int code = NCP_WaitForChildExit(oldest, 0, &info);
  if (code == NCP_NO_ERROR) {
    EXPECT_EQ(info.pid, oldest);
  } else {
    EXPECT_EQ(code, NCP_ERR_INVALID_PID);
  }
  EXPECT_EQ(NCP_WaitForChildExit(newest, 0, nullptr), NCP_NO_ERROR);
}

TEST(OpenChildPidfd, APidfdToPollThatBecomesReadableAtTheEnd) {
  Pipe blocker = MakePipe();
  const int32_t pid = StartProbe({"probe", "read:5", "exit:6"}, blocker.read.get());
  int raw = -1;
  ASSERT_EQ(NCP_OpenChildPidfd(pid, &raw), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  base::UniqueFd pidfd(raw);
  EXPECT_NE(fcntl(pidfd.get(), F_GETFD) & FD_CLOEXEC, 0);
  pollfd polled{pidfd.get(), POLLIN, 0};
  EXPECT_EQ(poll(&polled, 1, 0), 0) << "readable while the child runs";
  // Not our child: waitid cannot reap it.
  siginfo_t si{};
  EXPECT_EQ(waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &si, WEXITED | WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  blocker.write.reset();
  ASSERT_EQ(poll(&polled, 1, 20000), 1);
  EXPECT_NE(polled.revents & POLLIN, 0);
  NCP_ChildExitInfo info = EmptyInfo();
  ASSERT_EQ(NCP_WaitForChildExit(pid, -1, &info), NCP_NO_ERROR);
  EXPECT_EQ(info.exitCode, 6);
  // Ended: no new pidfd.
  int again = -42;
  EXPECT_EQ(NCP_OpenChildPidfd(pid, &again), NCP_ERR_INVALID_PID);
  EXPECT_EQ(again, -42);
  EXPECT_EQ(std::string(NCP_GetLastErrorMessage()), "pid " + std::to_string(pid) + " has ended");
}

TEST(OpenChildPidfd, ArgumentsAndUnknownPids) {
  int fd = -42;
  EXPECT_EQ(NCP_OpenChildPidfd(getpid(), &fd), NCP_ERR_INVALID_PID);
  EXPECT_EQ(fd, -42);
  EXPECT_EQ(NCP_OpenChildPidfd(getpid(), nullptr), NCP_ERR_INVALID_PARAM);
}

}  // namespace
}  // namespace ncp::testing
