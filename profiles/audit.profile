# audit: learning mode. The default sandbox, but every syscall the default filter would refuse
# is allowed and logged by the kernel (SECCOMP_RET_LOG: see the audit log or dmesg), so you can
# find out what a worker needs before you write its profile. Not a security boundary.

include = default
seccomp-default = log
# default.profile answers these with ENOSYS; here they run and are logged too.
seccomp-log = clone3, openat2, io_uring_setup, io_uring_enter, io_uring_register
