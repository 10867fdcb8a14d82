#include "base/process_umask.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "testing/testing.h"

namespace ncp::base {
namespace {

TEST(CurrentUmask, IsTheProcessUmaskAndLeavesItAlone) {
  const mode_t old = umask(0027);
  EXPECT_EQ(CurrentUmask(), 0027u);
  umask(0);
  EXPECT_EQ(CurrentUmask(), 0u);
  EXPECT_EQ(umask(old), 0u);  // reading it did not change it
}

TEST(CurrentUmaskThroughKeptFd, FollowsEveryChangeAndLeavesItAlone) {
  const mode_t old = umask(0027);
  EXPECT_EQ(CurrentUmaskThroughKeptFd(), 0027u);
  umask(0077);
  EXPECT_EQ(CurrentUmaskThroughKeptFd(), 0077u);
  umask(0);
  EXPECT_EQ(CurrentUmaskThroughKeptFd(), 0u);
  EXPECT_EQ(umask(old), 0u);
}

// The fd the reader keeps: the one of ours that names this process's status file.
int KeptStatusFd() {
  const std::string target = "/proc/" + std::to_string(getpid()) + "/status";
  int found = -1;
  DIR* dir = opendir("/proc/self/fd");
  while (dirent* entry = readdir(dir)) {
    char link[PATH_MAX] = {};
    const std::string path = std::string("/proc/self/fd/") + entry->d_name;
    if (readlink(path.c_str(), link, sizeof link - 1) > 0 && target == link) {
      found = atoi(entry->d_name);
    }
  }
  closedir(dir);
  return found;
}

// An application may close every fd it did not open and reuse the numbers: the reader must
// notice, read the right umask anyway, and leave the application's file at that number alone.
TEST(CurrentUmaskThroughKeptFd, SurvivesItsFdNumberBeingReusedAndNeverClosesIt) {
  const mode_t old = umask(0022);
  ASSERT_EQ(CurrentUmaskThroughKeptFd(), 0022u);
  const int kept = KeptStatusFd();
  ASSERT_GE(kept, 3);
  const int other = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  ASSERT_EQ(dup2(other, kept), kept);  // the application's file now has the kept number
  close(other);
  umask(0037);
  EXPECT_EQ(CurrentUmaskThroughKeptFd(), 0037u);
  struct stat at_number {
  }, passwd{};
  ASSERT_EQ(fstat(kept, &at_number), 0) << "the reader closed a fd that was not its own";
  ASSERT_EQ(stat("/etc/passwd", &passwd), 0);
  EXPECT_EQ(at_number.st_ino, passwd.st_ino);
  EXPECT_EQ(lseek(kept, 0, SEEK_CUR), 0) << "the application's file offset moved";
  close(kept);
  umask(old);
}

// Runs `body(answer_fd)` in a forked child, which writes one int (an umask) to answer_fd, and
// returns that int, or -1.
template <typename Body>
int AnswerFromChild(Body body) {
  int ends[2];
  if (pipe(ends) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(ends[0]);
    body(ends[1]);
    _exit(0);
  }
  close(ends[1]);
  int seen = -1;
  if (read(ends[0], &seen, sizeof seen) != sizeof seen) seen = -1;
  close(ends[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return seen;
}

void Answer(int fd, mode_t umask_value) {
  const int value = static_cast<int>(umask_value);
  (void)!write(fd, &value, sizeof value);
}

// The kept fd names the parent's status: a forked child must read its own umask.
TEST(CurrentUmaskThroughKeptFd, AForkedChildReadsItsOwnUmask) {
  const mode_t old = umask(0022);
  ASSERT_EQ(CurrentUmaskThroughKeptFd(), 0022u);
  EXPECT_EQ(AnswerFromChild([](int fd) {
              umask(0077);
              Answer(fd, CurrentUmaskThroughKeptFd());
            }),
            0077);
  EXPECT_EQ(CurrentUmaskThroughKeptFd(), 0022u);
  umask(old);
}

// The fork closed the inherited fd in the child, so the number is the child's to use: even a
// status file of its own opening there (the parent's, which reads like ours did) is left open.
TEST(CurrentUmaskThroughKeptFd, AForkedChildsFileAtTheOldNumberIsItsOwn) {
  ASSERT_GE(static_cast<int>(CurrentUmaskThroughKeptFd()), 0);
  const int kept = KeptStatusFd();
  ASSERT_GE(kept, 3);
  const std::string parent_status = "/proc/" + std::to_string(getpid()) + "/status";
  EXPECT_EQ(AnswerFromChild([&](int fd) {
              if (fcntl(kept, F_GETFD) != -1) return Answer(fd, 01000);  // not closed at fork
              const int own = open(parent_status.c_str(), O_RDONLY | O_CLOEXEC);
              if (own < 0 || dup2(own, kept) != kept) return Answer(fd, 02000);
              if (own != kept) close(own);  // the lowest free number may be the old one
              umask(0017);
              const mode_t seen = CurrentUmaskThroughKeptFd();
              char link[PATH_MAX] = {};
              const std::string path = "/proc/self/fd/" + std::to_string(kept);
              const bool left_alone =
                  readlink(path.c_str(), link, sizeof link - 1) > 0 && parent_status == link;
              Answer(fd, left_alone ? seen : 04000);
            }),
            0017);
}

// The process closed the kept fd and put a file of its own at that number, then forked: the
// fork handler must leave the child's copy of that file open.
TEST(CurrentUmaskThroughKeptFd, AForkLeavesTheProcesssOwnFileAtTheOldNumberOpen) {
  ASSERT_GE(static_cast<int>(CurrentUmaskThroughKeptFd()), 0);
  const int kept = KeptStatusFd();
  ASSERT_GE(kept, 3);
  const int other = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  ASSERT_EQ(dup2(other, kept), kept);
  close(other);
  EXPECT_EQ(AnswerFromChild([kept](int fd) { Answer(fd, fcntl(kept, F_GETFD) != -1 ? 0 : 01000); }),
            0);
  close(kept);
}

// A process that closed its stdin gets the number back at its next open, as it expects: the
// kept fd never takes 0-2.
TEST(CurrentUmaskThroughKeptFd, NeverTakesAStandardFdNumber) {
  EXPECT_EQ(AnswerFromChild([](int fd) {
              close(0);
              umask(0026);
              const mode_t seen = CurrentUmaskThroughKeptFd();
              Answer(fd, fcntl(0, F_GETFD) == -1 ? seen : 01000);
            }),
            0026);
}

// A pid namespace that kept its parent's /proc: /proc/self/status is ours, but its Tgid line
// is our pid as that /proc sees it, not getpid(). Nothing may depend on the two agreeing. The
// child is a raw clone (no fork handlers): it inherits the kept fd, opens one of its own once,
// and never more.
TEST(CurrentUmaskThroughKeptFd, ReadsTheUmaskInAPidNamespaceWithTheParentsProc) {
  NCP_REQUIRE_USERNS();
  ASSERT_GE(static_cast<int>(CurrentUmaskThroughKeptFd()), 0);
  int ends[2];
  ASSERT_EQ(pipe(ends), 0);
  const pid_t pid = static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD,
                                               nullptr, nullptr, nullptr, nullptr));
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    umask(0077);
    int answers[3] = {static_cast<int>(CurrentUmask()), 0, 0};
    for (int i = 0; i < 5; ++i) answers[1] = static_cast<int>(CurrentUmaskThroughKeptFd());
    char self[64] = {};
    (void)!readlink("/proc/self", self, sizeof self - 1);
    const std::string own = std::string("/proc/") + self + "/status";
    DIR* dir = opendir("/proc/self/fd");
    while (dirent* entry = readdir(dir)) {
      char link[PATH_MAX] = {};
      const std::string path = std::string("/proc/self/fd/") + entry->d_name;
      if (readlink(path.c_str(), link, sizeof link - 1) > 0 && own == link) ++answers[2];
    }
    closedir(dir);
    _exit(write(ends[1], answers, sizeof answers) == sizeof answers ? 0 : 1);
  }
  close(ends[1]);
  int answers[3] = {-1, -1, -1};
  ASSERT_EQ(read(ends[0], answers, sizeof answers), static_cast<ssize_t>(sizeof answers));
  close(ends[0]);
  waitpid(pid, nullptr, 0);
  EXPECT_EQ(answers[0], 0077);
  EXPECT_EQ(answers[1], 0077);
  EXPECT_EQ(answers[2], 1) << "status fds of its own after five reads";
}

// A reused number may name a file whose read blocks (/dev/kmsg at its end): it must not be
// read at all. Run in a child with an alarm, so a blocked read fails the test instead of
// hanging it.
TEST(CurrentUmaskThroughKeptFd, NeverReadsAReusedNumber) {
  const int kmsg = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
  if (kmsg < 0) GTEST_SKIP() << "/dev/kmsg cannot be read by this user";
  close(kmsg);
  const mode_t old = umask(0022);
  ASSERT_EQ(CurrentUmaskThroughKeptFd(), 0022u);
  const int kept = KeptStatusFd();
  ASSERT_GE(kept, 3);
  EXPECT_EQ(AnswerFromChild([kept](int fd) {
              alarm(10);
              const int blocking = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
              if (blocking < 0 || lseek(blocking, 0, SEEK_END) < 0) return Answer(fd, 01000);
              // The fork closed the kept fd here; the child reads once to keep one again.
              (void)CurrentUmaskThroughKeptFd();
              const int again = KeptStatusFd();
              if (again < 0 || dup2(blocking, again) != again) return Answer(fd, 02000);
              umask(0023);
              Answer(fd, CurrentUmaskThroughKeptFd());
            }),
            0023);
  umask(old);
}

// /proc/self/status has no Umask line once the main thread has ended: both readers then take
// the calling thread's own status. The forked child's main thread ends while a second thread
// reads the umask and answers.
int g_answer_fd = -1;

template <mode_t (*Reader)()>
void* AnswerOnceTheMainThreadEnded(void*) {
  usleep(100 * 1000);
  Answer(g_answer_fd, Reader());
  _exit(0);
}

template <mode_t (*Reader)()>
int UmaskReadAfterTheMainThreadEnded() {
  return AnswerFromChild([](int fd) {
    g_answer_fd = fd;
    umask(0031);
    pthread_t thread;
    if (pthread_create(&thread, nullptr, AnswerOnceTheMainThreadEnded<Reader>, nullptr) != 0) {
      return;
    }
    // The main thread alone ends; pthread_exit would unwind through the test framework.
    syscall(SYS_exit, 0);
  });
}

TEST(CurrentUmask, IsReadWhenTheMainThreadHasEnded) {
  EXPECT_EQ(UmaskReadAfterTheMainThreadEnded<CurrentUmask>(), 0031);
}

TEST(CurrentUmaskThroughKeptFd, IsReadWhenTheMainThreadHasEnded) {
  ASSERT_GE(static_cast<int>(CurrentUmaskThroughKeptFd()), 0);  // a kept fd the child inherits
  EXPECT_EQ(UmaskReadAfterTheMainThreadEnded<CurrentUmaskThroughKeptFd>(), 0031);
}

}  // namespace
}  // namespace ncp::base
