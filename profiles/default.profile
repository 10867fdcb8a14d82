# default: the sandbox for compute and parsing work on data passed in by fd.
#
# All namespaces, no network, no capabilities; the system folders read-only, a private /tmp,
# a cleared environment; and an allowlist seccomp filter: I/O on descriptors, memory, time,
# threads and futexes, signals, exit, reading files. Everything else fails with EPERM, in
# particular ptrace, mount, bpf, keyctl/add_key, unshare/setns, perf_event_open, kexec, module
# loading, userfaultfd, the TIOCSTI ioctl, personality changes and sockets other than AF_UNIX.

unshare-all

# File system: the library loader needs these; /lib64 and the /bin links do not exist everywhere.
ro-bind = /usr
ro-bind-try = /lib
ro-bind-try = /lib64
ro-bind-try = /lib32
ro-bind-try = /bin
ro-bind-try = /sbin
ro-bind-try = /etc/ld.so.cache
ro-bind-try = /etc/ld.so.conf
ro-bind-try = /etc/ld.so.conf.d
ro-bind-try = /etc/localtime
tmpfs = /tmp
# Landlock mirrors these mounts as a second wall (a passed read-only fd stays read-only when
# reopened through /proc/self/fd) and keeps signals and abstract sockets inside. Best effort,
# not required: the shipped profiles must run on every kernel ncp supports (Debian 12's has
# ABI 2, a container may refuse the calls); a deployment that relies on it says
# `landlock = required` in its own profile.
landlock = best-effort

clearenv
env = PATH=/usr/bin:/bin
env = LANG=C.UTF-8
rlimit = core=0

# Bounds that stop a fork bomb, a memory balloon and a disk or /tmp filler (profiles/README.md,
# "Limits"). nproc counts the sandbox's processes and threads (the sandbox has a user of its
# own, so nothing outside counts); data bounds each process's heap, anonymous memory and
# thread stacks, while address space a JIT only reserves is free (unlike `as`, which also
# kills sanitizer builds; `data` does too, for a program started as a command, so give those
# `rlimit = data=unlimited`). The main thread's stack is not data: `stack` bounds it (8M is
# what Linux distributions give by default). 32 x (384M + 8M) keeps the worst case near 12G;
# the kernel's OOM killer takes sandboxed processes first. Override any of them after
# `include = default`.
rlimit = nproc=32
rlimit = data=384M
rlimit = stack=8M
rlimit = nofile=1024
rlimit = fsize=1G
tmpfs-size = 64M

seccomp-default = errno:EPERM
seccomp-allow = @basic-io, @file-read, @io-event, @memory, @process-info, @signal, @thread
seccomp-allow = @time, @timer, exit, exit_group, pipe, pipe2
# Talking over sockets the parent passed in; only AF_UNIX sockets may be created.
seccomp-allow = sendmsg, recvmsg, sendto, recvfrom, sendmmsg, recvmmsg, shutdown
seccomp-allow = getsockopt, setsockopt, getsockname, getpeername
seccomp-allow = socket(arg0 == AF_UNIX), socketpair(arg0 == AF_UNIX)
# Threads, never new namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET).
seccomp-allow = clone(arg0 & 0x7E020000 == 0)
# Only the default personality, and queries of it.
seccomp-allow = personality(arg0 == PER_LINUX), personality(arg0 == PER_QUERY)
# The kernel reads only the low 32 bits of an ioctl request, so the filter compares those.
seccomp-allow = ioctl(arg1 & 0xffffffff == TCGETS), ioctl(arg1 & 0xffffffff == TIOCGWINSZ)
seccomp-allow = ioctl(arg1 & 0xffffffff == FIONREAD), ioctl(arg1 & 0xffffffff == FIONBIO)
seccomp-allow = ioctl(arg1 & 0xffffffff == FIOCLEX), ioctl(arg1 & 0xffffffff == FIONCLEX)
# mmap, but neither grows-down mappings (the kernel counts them as stack, outside rlimit data)
# nor shared anonymous ones (outside data as well): private or file-backed shared only.
seccomp-allow = mmap(arg3 & 0x101 == 0), mmap(arg3 & 0x121 == 0x1)
seccomp-allow = prctl(arg0 == PR_SET_NAME), prctl(arg0 == PR_GET_NAME)
seccomp-allow = prctl(arg0 == PR_GET_DUMPABLE), prctl(arg0 == PR_SET_VMA)
# ENOSYS, not EPERM, so that libc falls back to clone and openat; io_uring is never allowed.
seccomp-errno = clone3:ENOSYS, openat2:ENOSYS
seccomp-errno = io_uring_setup:ENOSYS, io_uring_enter:ENOSYS, io_uring_register:ENOSYS
