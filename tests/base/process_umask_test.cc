#include "base/process_umask.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <string>

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
