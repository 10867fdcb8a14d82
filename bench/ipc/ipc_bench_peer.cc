// The anchor's peer process of ipc_bench: serves fd 3, one end of a SOCK_SEQPACKET socketpair,
// echoing every packet back unchanged.
//   ipc_bench_peer raw CPU
// CPU (-1 for any) pins the process first.
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

int RawEcho() {
  std::vector<char> buffer(256 * 1024);
  while (true) {
    ssize_t got = ::recv(3, buffer.data(), buffer.size(), 0);
    if (got <= 0) return 0;
    if (::send(3, buffer.data(), static_cast<size_t>(got), MSG_NOSIGNAL) != got) return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 64;
  int cpu = std::atoi(argv[2]);
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (::sched_setaffinity(0, sizeof(set), &set) != 0) return 65;
  }
  if (std::strcmp(argv[1], "raw") == 0) return RawEcho();
  return 64;
}
