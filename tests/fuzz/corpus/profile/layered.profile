# A profile that layers on a shipped one and touches most keys.
include = default
strict
hostname = sandbox
uid = 1000
gid = 1000
bind-try = /var/tmp:/data
ro-bind = /etc/hosts:/etc/hosts
tmpfs = /run
rlimit = nofile=64:128
rlimit = as=1G
env = A=b
unsetenv = HOME
fd = input=3
seccomp-default = kill
seccomp-allow = getrandom, socket(arg0 == AF_UNIX), ioctl(arg1 & 0xffffffff == TCGETS)
seccomp-errno = openat2:ENOSYS
seccomp-trap = ptrace
seccomp-log = uname
seccomp-kill = bpf
seccomp-before-load
