#include "policy/syscall_groups.h"

#include <algorithm>
#include <sstream>

namespace ncp::policy {
namespace {

// Membership follows systemd's groups where a group of the same name exists there; @file-read,
// @thread, @time and @process-info are ours, cut to what compute and parsing workers need.
// Groups that are never allowed by the shipped profiles are listed too, so profiles and
// explanations can name them.
constexpr SyscallGroup kGroups[] = {
    {"@basic-io", "read, write, seek and close descriptors the process already has",
     "read write readv writev pread64 pwrite64 preadv preadv2 pwritev pwritev2 "
     "lseek close close_range dup dup2 dup3"},
    {"@file-read", "open, stat and list files, without changing them (mounts decide access)",
     "open openat access faccessat faccessat2 stat fstat lstat newfstatat statx statfs "
     "fstatfs readlink readlinkat getdents getdents64 getcwd chdir fchdir fadvise64 fcntl "
     "flock readahead"},
    {"@file-system", "@file-read plus creating, changing and removing files",
     "@file-read creat mkdir mkdirat rmdir unlink unlinkat rename renameat renameat2 link "
     "linkat symlink symlinkat chmod fchmod fchmodat truncate ftruncate fallocate utime utimes "
     "utimensat futimesat umask inotify_init inotify_init1 inotify_add_watch inotify_rm_watch "
     "getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr setxattr lsetxattr "
     "fsetxattr removexattr lremovexattr fremovexattr"},
    {"@io-event", "wait for events on descriptors",
     "epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2 poll ppoll "
     "select pselect6 eventfd eventfd2"},
    {"@ipc", "pipes, System V and POSIX message queues, semaphores and shared memory",
     "pipe pipe2 msgget msgsnd msgrcv msgctl semget semop semctl semtimedop shmget shmat "
     "shmdt shmctl mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr"},
    {"@memory", "map, protect and release memory",
     "brk mmap munmap mprotect madvise mremap msync mincore mlock mlock2 munlock mlockall "
     "munlockall membarrier memfd_create pkey_alloc pkey_free pkey_mprotect"},
    {"@network-io", "create, connect and use sockets (restrict socket() families separately)",
     "socket socketpair bind listen accept accept4 connect getsockname getpeername getsockopt "
     "setsockopt sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg shutdown"},
    {"@process", "create, run, wait for and signal processes",
     "clone clone3 fork vfork execve execveat exit exit_group wait4 waitid kill tgkill tkill "
     "pidfd_open pidfd_send_signal prctl arch_prctl getrusage times"},
    {"@process-info", "read-only questions about the process, its ids and the system",
     "getpid getppid gettid getuid geteuid getgid getegid getgroups getresuid getresgid "
     "getpgid getpgrp getsid uname sysinfo getcpu getrlimit getpriority sched_getaffinity "
     "sched_getparam sched_getscheduler getrandom capget times getrusage"},
    {"@resources", "read and change resource limits, priorities and CPU affinity",
     "getrlimit setrlimit prlimit64 getpriority setpriority sched_setaffinity sched_setparam "
     "sched_setscheduler sched_get_priority_max sched_get_priority_min sched_rr_get_interval "
     "ioprio_get ioprio_set"},
    {"@signal", "handle, block and send signals",
     "rt_sigaction rt_sigprocmask rt_sigreturn rt_sigpending rt_sigsuspend rt_sigtimedwait "
     "rt_sigqueueinfo rt_tgsigqueueinfo sigaltstack signalfd signalfd4 pause restart_syscall "
     "kill tkill tgkill"},
    {"@sync", "flush file data to storage", "fsync fdatasync sync syncfs sync_file_range msync"},
    {"@thread",
     "futexes and the calls threads use on themselves (not clone: its flags need a "
     "condition)",
     "futex futex_waitv set_robust_list get_robust_list rseq set_tid_address gettid "
     "sched_yield sched_getaffinity membarrier"},
    {"@time", "read clocks and sleep",
     "clock_gettime clock_getres clock_nanosleep gettimeofday time nanosleep"},
    {"@timer", "timers that deliver signals or readable events",
     "alarm getitimer setitimer timer_create timer_settime timer_gettime timer_getoverrun "
     "timer_delete timerfd_create timerfd_settime timerfd_gettime"},
    {"@aio", "Linux native asynchronous I/O (io_submit and friends)",
     "io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents"},
    {"@system-service", "what an ordinary service uses; wide, for trusted code",
     "@aio @basic-io @file-system @io-event @ipc @memory @network-io @process @process-info "
     "@resources @signal @sync @thread @time @timer ioctl sendfile copy_file_range splice tee "
     "vmsplice personality"},
    // Never allowed by the shipped profiles.
    {"@io-uring", "io_uring: multiplexes syscalls that a seccomp filter cannot see",
     "io_uring_setup io_uring_enter io_uring_register"},
    {"@debug", "trace, inspect or profile other processes",
     "ptrace process_vm_readv process_vm_writev kcmp perf_event_open pidfd_getfd "
     "process_madvise"},
    {"@mount", "mount, unmount and change the root",
     "mount umount2 pivot_root chroot fsopen fsconfig fsmount fspick move_mount open_tree "
     "mount_setattr"},
    {"@namespaces", "enter or create namespaces", "unshare setns"},
    {"@keyring", "the kernel key retention service", "add_key request_key keyctl"},
    {"@module", "load and unload kernel modules", "init_module finit_module delete_module"},
    {"@reboot", "reboot or replace the running kernel", "reboot kexec_load kexec_file_load"},
    {"@swap", "enable and disable swap", "swapon swapoff"},
    {"@raw-io", "raw port I/O", "iopl ioperm"},
    {"@privileged", "system administration that needs capabilities",
     "acct bpf clock_adjtime clock_settime adjtimex settimeofday quotactl syslog vhangup "
     "sethostname setdomainname userfaultfd open_by_handle_at name_to_handle_at lookup_dcookie "
     "mknod mknodat"},
};

void Expand(std::string_view name, int depth, std::vector<std::string>* out) {
  const SyscallGroup* group = FindSyscallGroup(name);
  if (group == nullptr || depth > 4) return;
  std::istringstream members(group->members);
  std::string member;
  while (members >> member) {
    if (member.front() == '@') {
      Expand(member, depth + 1, out);
    } else if (std::find(out->begin(), out->end(), member) == out->end()) {
      out->push_back(member);
    }
  }
}

}  // namespace

std::span<const SyscallGroup> AllSyscallGroups() { return kGroups; }

const SyscallGroup* FindSyscallGroup(std::string_view name) {
  for (const SyscallGroup& group : kGroups) {
    if (name == group.name) return &group;
  }
  return nullptr;
}

std::optional<std::vector<std::string>> ExpandSyscallGroup(std::string_view name) {
  if (FindSyscallGroup(name) == nullptr) return std::nullopt;
  std::vector<std::string> names;
  Expand(name, 0, &names);
  return names;
}

}  // namespace ncp::policy
