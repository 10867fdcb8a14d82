// What a start takes from its caller (core/app/caller_snapshot.h): credentials read from the main
// thread's status text must be exactly those the syscalls read, in every state a process can
// put them in, and a thread whose credentials differ from the main thread's must get its own.
#include "core/app/caller_snapshot.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <pthread.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "base/own_status_file.h"
#include "core/protocol/credentials.h"
#include "testing/testing.h"

namespace ncp::core {
namespace {

// A status text as Linux 6.x writes it, cut to the lines the reader looks at and a few around.
std::string KernelText(const std::string& groups_line) {
  return "Name:\tworker\nUmask:\t0027\nState:\tS (sleeping)\nTgid:\t41\nPid:\t41\n"
         "Uid:\t1000\t1001\t1002\t1003\nGid:\t2000\t2001\t2002\t2003\nFDSize:\t64\n" +
         groups_line +
         "NStgid:\t41\nThreads:\t3\nSigQ:\t0/95234\nCapInh:\t0000000000000000\n"
         "CapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t000001ffffffffff\n"
         "CapAmb:\t0000000000000400\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n"
         "Speculation_Store_Bypass:\tthread vulnerable\nCpus_allowed:\t3\n";
}

TEST(CredentialsInStatus, ReadsEveryFieldOfAKernelText) {
  Credentials c;
  ASSERT_TRUE(CredentialsInStatus(KernelText("Groups:\t4 24 70000\n"), &c));
  EXPECT_EQ(std::vector<uint32_t>(c.uid, c.uid + 4),
            (std::vector<uint32_t>{1000, 1001, 1002, 1003}));
  EXPECT_EQ(std::vector<uint32_t>(c.gid, c.gid + 4),
            (std::vector<uint32_t>{2000, 2001, 2002, 2003}));
  EXPECT_EQ(std::vector<uint32_t>(c.groups, c.groups + c.group_count),
            (std::vector<uint32_t>{4, 24, 70000}));
  EXPECT_EQ(c.cap_inheritable, 0u);
  EXPECT_EQ(c.cap_permitted, 0xa80425fbu);
  EXPECT_EQ(c.cap_effective, 0xa80425fbu);
  EXPECT_EQ(c.cap_bounding, 0x1ffffffffffu);
  EXPECT_EQ(c.cap_ambient, 0x400u);
  EXPECT_EQ(c.no_new_privs, 1u);
  EXPECT_EQ(c.seccomp_mode, 2u) << "the Seccomp line, not Seccomp_filters";
}

// Kernels before 4.x end the Groups line with a space; no groups is an empty line.
TEST(CredentialsInStatus, ReadsGroupsAsOldAndNewKernelsWriteThem) {
  Credentials c;
  ASSERT_TRUE(CredentialsInStatus(KernelText("Groups:\t10 100 \n"), &c));
  EXPECT_EQ(std::vector<uint32_t>(c.groups, c.groups + c.group_count),
            (std::vector<uint32_t>{10, 100}));
  ASSERT_TRUE(CredentialsInStatus(KernelText("Groups:\t\n"), &c));
  EXPECT_EQ(c.group_count, 0u);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Anything not read whole is refused (the caller then asks the syscalls), never half taken.
TEST(CredentialsInStatus, RefusesWhatItCannotReadWhole) {
  const std::string good = KernelText("Groups:\t4 24\n");
  Credentials c;
  ASSERT_TRUE(CredentialsInStatus(good, &c));
  std::string many = "Groups:\t";
  for (uint32_t i = 0; i <= kMaxCallerGroups; ++i) many += std::to_string(i) + " ";
  const std::vector<std::pair<const char*, std::string>> bad = {
      {"not a status text", good.substr(good.find('\n') + 1)},
      {"cut inside the groups", good.substr(0, good.find("Groups:\t4 2") + 10)},
      {"no CapAmb line", Replace(good, "CapAmb:", "CapXyz:")},
      {"no Seccomp line", Replace(good, "Seccomp:\t2\n", "")},
      {"three uids", Replace(good, "\t1003\n", "\n")},
      {"five uids", Replace(good, "\t1003\n", "\t1003\t7\n")},
      {"a uid with a tail", Replace(good, "\t1003\n", "\t1003x\n")},
      {"a uid past 32 bits", Replace(good, "\t1003\n", "\t4294967296\n")},
      {"a group that is no number", Replace(good, "4 24", "4 x")},
      {"a negative uid", Replace(good, "Uid:\t1000", "Uid:\t-1")},
      {"a capability set with a tail", Replace(good, "0000000000000400", "0000000000000400 ")},
      {"more groups than a start carries", KernelText(many + "\n")},
  };
  for (const auto& [why, text] : bad) {
    SCOPED_TRACE(why);
    EXPECT_FALSE(CredentialsInStatus(text, &c));
  }
}

// Runs `body` in a copy of this process and returns its exit code (its answer), or -1: a forked
// child (fork handlers run), or a raw clone with `clone_flags` (none run, as when a program
// calls the syscall itself).
int WaitForAnswer(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

int InChild(const std::function<int()>& body) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) _exit(body());
  return WaitForAnswer(pid);
}

int InRawClone(unsigned long clone_flags, const std::function<int()>& body) {
  const long pid = syscall(SYS_clone, clone_flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) return -1;
  if (pid == 0) _exit(body());
  return WaitForAnswer(static_cast<pid_t>(pid));
}

// 0 when this process's status text and the syscalls agree on every field; else which differs.
int StatusAgreesWithSyscalls() {
  char buffer[base::kOwnStatusBufferBytes];
  const std::optional<std::string_view> text = base::ReadOwnStatus(buffer);
  if (!text) return 10;
  Credentials from_status, from_syscalls;
  if (!CredentialsInStatus(*text, &from_status)) return 11;
  if (!CaptureThreadCredentials(&from_syscalls)) return 12;
  if (!SameCredentials(from_status, from_syscalls)) return 13;
  CallerSnapshot snapshot;  // the main thread: from the same text
  if (!CaptureCaller(&snapshot).ok()) return 14;
  return SameCredentials(snapshot.credentials, from_syscalls) ? 0 : 15;
}

int EnterUserNamespace() {
  const uid_t uid = getuid();
  const gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER) != 0) return 20;
  auto write_file = [](const char* path, const std::string& text) {
    const int fd = open(path, O_WRONLY | O_CLOEXEC);
    const bool ok = fd >= 0 && write(fd, text.data(), text.size()) == ssize_t(text.size());
    if (fd >= 0) close(fd);
    return ok;
  };
  if (!write_file("/proc/self/setgroups", "deny") ||
      !write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
      !write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
    return 21;
  }
  return 0;
}

bool SetCaps(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0] = {static_cast<uint32_t>(effective), static_cast<uint32_t>(permitted),
             static_cast<uint32_t>(inheritable)};
  data[1] = {static_cast<uint32_t>(effective >> 32), static_cast<uint32_t>(permitted >> 32),
             static_cast<uint32_t>(inheritable >> 32)};
  return syscall(SYS_capset, &header, data) == 0;
}

bool AllowAllFilter() {
  sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  sock_fprog program{1, &allow};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) == 0;
}

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

// unshare(CLONE_NEWUSER) needs a single-threaded process, and ThreadSanitizer's runtime runs a
// thread of its own in every process (the forked children too).
#if defined(__SANITIZE_THREAD__)
#define SKIP_UNDER_THREAD_SANITIZER() \
  GTEST_SKIP() << "ThreadSanitizer's own thread: no user namespace can be entered"
#else
#define SKIP_UNDER_THREAD_SANITIZER() \
  do {                                \
  } while (0)
#endif

TEST(CredentialsInStatus, AgreesWithTheSyscallsAsTheProcessIs) {
  EXPECT_EQ(InChild(StatusAgreesWithSyscalls), 0);
}

TEST(CredentialsInStatus, AgreesWithTheSyscallsUnderNoNewPrivsAndAFilter) {
  EXPECT_EQ(InChild([] {
              if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !AllowAllFilter()) return 30;
              return StatusAgreesWithSyscalls();
            }),
            0);
}

// In a user namespace of its own a process holds every capability and may take some away:
// each set differs from the others, an ambient one is raised, and securebits are set.
TEST(CredentialsInStatus, AgreesWithTheSyscallsWhateverTheCapabilities) {
  SKIP_UNDER_THREAD_SANITIZER();
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(InChild([] {
              if (const int err = EnterUserNamespace(); err != 0) return err;
              if (prctl(PR_CAPBSET_DROP, CAP_SYS_MODULE, 0, 0, 0) != 0) return 31;
              if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_KEEP_CAPS, 0, 0, 0) != 0)
                return 32;
              const uint64_t permitted = Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_KILL) |
                                         Bit(CAP_CHOWN) | Bit(CAP_SETPCAP) | Bit(40);
              if (!SetCaps(Bit(CAP_KILL), permitted, Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_CHOWN))) {
                return 33;
              }
              if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) != 0) {
                return 34;
              }
              return StatusAgreesWithSyscalls();
            }),
            0);
}

// Root can make every id differ: real, effective, saved and filesystem, and the groups.
TEST(CredentialsInStatus, AgreesWithTheSyscallsWhateverTheIds) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to set ids at will";
  EXPECT_EQ(InChild([] {
              const gid_t groups[] = {4, 24, 70000, 4000000000u};
              if (setgroups(4, groups) != 0 || setresgid(101, 102, 103) != 0) return 40;
              setfsgid(104);
              if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return 41;
              if (setresuid(201, 202, 203) != 0) return 42;
              setfsuid(204);
              return StatusAgreesWithSyscalls();
            }),
            0);
}

// The attack: a thread that gave up its capabilities and part of its bounding set (for itself
// only, as raw syscalls do) asks for a child. The main thread's status still shows all of them;
// the thread must get its own, or its children would have what it gave up.
TEST(CaptureCaller, AThreadThatDroppedPrivilegesGetsItsOwn) {
  SKIP_UNDER_THREAD_SANITIZER();
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(InChild([] {
              if (const int err = EnterUserNamespace(); err != 0) return err;
              static int answer = 50;
              pthread_t thread;
              auto body = [](void*) -> void* {
                if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) != 0 || !SetCaps(0, 0, 0)) {
                  return nullptr;
                }
                CallerSnapshot snapshot;
                if (!CaptureCaller(&snapshot).ok()) return nullptr;
                const Credentials& c = snapshot.credentials;
                answer = c.cap_effective == 0 && c.cap_permitted == 0 &&
                                 (c.cap_bounding & Bit(CAP_SYS_ADMIN)) == 0
                             ? 0
                             : 51;
                return nullptr;
              };
              if (pthread_create(&thread, nullptr, body, nullptr) != 0) return 52;
              pthread_join(thread, nullptr);
              // The main thread kept them: its status says so.
              CallerSnapshot main_thread;
              if (!CaptureCaller(&main_thread).ok()) return 53;
              if ((main_thread.credentials.cap_effective & Bit(CAP_SYS_ADMIN)) == 0) return 54;
              return answer;
            }),
            0);
}

// A raw clone into a new pid namespace runs no fork handler and has its parent's pid when the
// parent is pid 1 (a container's init). The attack: the parent (all capabilities in its user
// namespace) has read its status once, so the fd is kept; its clone gives up its capabilities
// and asks. It must get its own, not the parent's through the parent's kept fd.
TEST(CaptureCaller, ARawCloneWithItsParentsPidGetsItsOwn) {
  SKIP_UNDER_THREAD_SANITIZER();
  NCP_REQUIRE_USERNS();
  EXPECT_EQ(InChild([] {
              if (const int err = EnterUserNamespace(); err != 0) return err;
              return InRawClone(CLONE_NEWPID, [] {
                if (getpid() != 1) return 80;
                CallerSnapshot parent;  // opens and keeps the status fd, as pid 1
                if (!CaptureCaller(&parent).ok()) return 81;
                if ((parent.credentials.cap_effective & Bit(CAP_SYS_ADMIN)) == 0) return 82;
                return InRawClone(CLONE_NEWPID, [] {
                  if (getpid() != 1 || !SetCaps(0, 0, 0)) return 84;
                  CallerSnapshot copy;
                  if (!CaptureCaller(&copy).ok()) return 85;
                  const Credentials& c = copy.credentials;
                  return c.cap_effective == 0 && c.cap_permitted == 0 ? 0 : 86;
                });
              });
            }),
            0);
}

// A copy made with CLONE_VM shares the parent's memory, and with it the kept fd and the
// generation, but is another process with credentials of its own: after it gives up its
// capabilities it must get its own, not the parent's through the parent's kept fd.
TEST(CaptureCaller, ACopySharingItsParentsMemoryGetsItsOwn) {
  NCP_REQUIRE_USERNS();
  SKIP_UNDER_THREAD_SANITIZER();
  EXPECT_EQ(
      InChild([] {
        if (const int err = EnterUserNamespace(); err != 0) return err;
        CallerSnapshot parent;  // opens and keeps the status fd
        if (!CaptureCaller(&parent).ok()) return 71;
        if ((parent.credentials.cap_effective & Bit(CAP_SYS_ADMIN)) == 0) return 72;
        static char stack[256 * 1024];
        auto copy = [](void*) -> int {
          if (!SetCaps(0, 0, 0)) return 73;
          CallerSnapshot own;
          if (!CaptureCaller(&own).ok()) return 74;
          return own.credentials.cap_effective == 0 && own.credentials.cap_permitted == 0 ? 0 : 75;
        };
        const pid_t pid = clone(copy, stack + sizeof stack, CLONE_VM | SIGCHLD, nullptr);
        if (pid < 0) return 76;
        const int answer = WaitForAnswer(pid);
        // The parent still reads its own, through its kept fd.
        CallerSnapshot again;
        if (!CaptureCaller(&again).ok()) return 77;
        if ((again.credentials.cap_effective & Bit(CAP_SYS_ADMIN)) == 0) return 78;
        return answer;
      }),
      0);
}

// More groups than the buffer holds: the text is cut, and the syscalls read them all.
TEST(CaptureCaller, ReadsGroupsTheStatusBufferCannotHold) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to set groups";
  EXPECT_EQ(InChild([] {
              std::vector<gid_t> groups;
              for (gid_t g = 0; g < 1000; ++g) groups.push_back(1000000 + g);
              if (setgroups(groups.size(), groups.data()) != 0) return 60;
              CallerSnapshot snapshot;
              if (!CaptureCaller(&snapshot).ok()) return 61;
              const Credentials& c = snapshot.credentials;
              return std::vector<gid_t>(c.groups, c.groups + c.group_count) == groups ? 0 : 62;
            }),
            0);
}

// More groups than a start carries: the start fails, as it did before the status was read.
TEST(CaptureCaller, RefusesMoreGroupsThanAStartCarries) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to set groups";
  EXPECT_EQ(InChild([] {
              std::vector<gid_t> groups;
              for (gid_t g = 0; g <= kMaxCallerGroups; ++g) groups.push_back(1000 + g);
              if (setgroups(groups.size(), groups.data()) != 0) return 70;
              CallerSnapshot snapshot;
              const base::Status status = CaptureCaller(&snapshot);
              return !status.ok() && status.err() == E2BIG ? 0 : 71;
            }),
            0);
}

TEST(CaptureCaller, TakesTheUmaskOfTheCall) {
  const mode_t old = umask(0037);
  CallerSnapshot snapshot;
  ASSERT_TRUE(CaptureCaller(&snapshot).ok());
  EXPECT_EQ(snapshot.umask, 0037u);
  umask(0);
  ASSERT_TRUE(CaptureCaller(&snapshot).ok());
  EXPECT_EQ(snapshot.umask, 0u);
  umask(old);
}

}  // namespace
}  // namespace ncp::core
