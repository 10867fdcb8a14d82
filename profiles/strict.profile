# strict: the smallest filter, for code that only transforms data on descriptors it was given.
#
# The default sandbox (namespaces, mounts, environment), but the filter allows only I/O on
# passed descriptors, memory, time, futexes, exit and rt_sigreturn, and questions about the
# process's own ids. The library is loaded before the filter is installed, so loading needs
# none of these.

include = default
seccomp-reset
seccomp-default = errno:EPERM
seccomp-allow = read, write, readv, writev, close, fstat, lseek, pread64, pwrite64
seccomp-allow = munmap, mprotect, brk, madvise, mremap
# As default: no grows-down and no shared anonymous mappings (both escape rlimit data).
seccomp-allow = mmap(arg3 & 0x101 == 0), mmap(arg3 & 0x121 == 0x1)
seccomp-allow = clock_gettime, clock_getres, clock_nanosleep, gettimeofday, time, nanosleep
seccomp-allow = futex, exit, exit_group, rt_sigreturn
# Only the calling thread's own signal stack; sanitizer runtimes reset it on the way out.
seccomp-allow = sigaltstack
seccomp-allow = getpid, gettid, getppid, getuid, geteuid, getgid, getegid
seccomp-errno = clone3:ENOSYS, openat2:ENOSYS
seccomp-errno = io_uring_setup:ENOSYS, io_uring_enter:ENOSYS, io_uring_register:ENOSYS
