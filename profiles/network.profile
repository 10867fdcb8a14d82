# network: the default sandbox plus the host's network, for workers that fetch or serve data.
#
# Keeps every namespace but the network one, adds what name resolution and TLS read from /etc,
# and allows the socket calls (@network-io) for the AF_INET, AF_INET6, AF_UNIX and AF_NETLINK
# families only.

include = default
share-net

ro-bind-try = /etc/resolv.conf
ro-bind-try = /etc/hosts
ro-bind-try = /etc/nsswitch.conf
ro-bind-try = /etc/host.conf
ro-bind-try = /etc/gai.conf
ro-bind-try = /etc/services
ro-bind-try = /etc/protocols
ro-bind-try = /etc/ssl
ro-bind-try = /etc/ca-certificates

seccomp-allow = @network-io
# Conditional rules replace the unconditional socket rule @network-io just added.
seccomp-allow = socket(arg0 == AF_UNIX), socket(arg0 == AF_INET), socket(arg0 == AF_INET6)
seccomp-allow = socket(arg0 == AF_NETLINK)
seccomp-allow = socketpair(arg0 == AF_UNIX)
