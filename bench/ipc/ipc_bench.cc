// ipc_bench: synchronous SendRequest round trips to an IPC-type child started by
// OH_Ability_CreateNativeChildProcess (libncp_ipc_bench_child.so), against the anchor, a raw
// SOCK_SEQPACKET socketpair ping-pong of the same bytes with a child process, in the same run
// (alternating slices). Prints median and p99 per round trip, the ratio to the anchor, and
// throughput for buffers. The bar: an int32-in/int32-out round trip's median is at most 2x the
// anchor's.
//
// Where the scheduler puts the two processes dominates on small machines (a wake-up across CPUs
// costs several times one on the same CPU, and an unpinned run lands either way), so each
// placement is measured separately, with the anchor in the same placement: both processes on
// one CPU, then parent and child on different CPUs.
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "IPCKit/ipc_kit.h"
#include "ncp/native_child_process_ext.h"

extern char** environ;

namespace {

constexpr size_t kFrameHeaderBytes = 40;  // what the IPC transport adds to every parcel

struct Child {
  pid_t pid = -1;
  int fd = -1;
  ~Child() {
    if (fd >= 0) ::close(fd);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

bool SpawnPeer(const char* mode, int cpu, Child* child) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 3);
  std::string cpu_text = std::to_string(cpu);
  char* argv[] = {const_cast<char*>(NCP_IPC_BENCH_PEER), const_cast<char*>(mode), cpu_text.data(),
                  nullptr};
  int rc = posix_spawn(&child->pid, NCP_IPC_BENCH_PEER, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    child->pid = -1;
    return false;
  }
  child->fd = fds[0];
  return true;
}

struct Stats {
  double median_us;
  double p99_us;
};

Stats Summarise(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples[samples.size() * 99 / 100]};
}

// Runs both round trips in alternating slices, so drifting machine load hits both alike.
template <typename Ipc, typename Anchor>
std::pair<Stats, Stats> MeasurePair(int iterations, Ipc ipc, Anchor anchor) {
  for (int i = 0; i < iterations / 10; ++i) ipc(), anchor();  // warm up both paths
  std::vector<double> ipc_samples;
  std::vector<double> anchor_samples;
  constexpr int kSlices = 20;
  auto time = [](auto& round_trip, std::vector<double>* samples, int count) {
    for (int i = 0; i < count; ++i) {
      auto start = std::chrono::steady_clock::now();
      round_trip();
      samples->push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
  };
  for (int slice = 0; slice < kSlices; ++slice) {
    time(ipc, &ipc_samples, iterations / kSlices);
    time(anchor, &anchor_samples, iterations / kSlices);
  }
  return {Summarise(std::move(ipc_samples)), Summarise(std::move(anchor_samples))};
}

// The anchor: one packet of `bytes` out, the same back.
auto RawPingPong(const Child& child, size_t bytes) {
  return [fd = child.fd, out = std::vector<char>(bytes, 'a'),
          in = std::vector<char>(bytes + 1)]() mutable {
    if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size()) ||
        ::recv(fd, in.data(), in.size(), 0) != static_cast<ssize_t>(out.size())) {
      std::fprintf(stderr, "raw ping-pong failed\n");
      std::exit(1);
    }
  };
}

auto IpcRoundTrip(OHIPCRemoteProxy* proxy, uint32_t code, OHIPCParcel* data, OHIPCParcel* reply) {
  return [=] {
    if (OH_IPCRemoteProxy_SendRequest(proxy, code, data, reply, nullptr) != OH_IPC_SUCCESS) {
      std::fprintf(stderr, "SendRequest failed\n");
      std::exit(1);
    }
  };
}

void Report(const char* name, size_t payload, const Stats& ipc, const Stats& raw) {
  double mib_per_s = payload == 0 ? 0 : 2.0 * payload / ipc.median_us * 1e6 / (1 << 20);
  double raw_mib_per_s = payload == 0 ? 0 : 2.0 * payload / raw.median_us * 1e6 / (1 << 20);
  std::printf(
      "%-22s ipc median %8.2f us  p99 %8.2f us | anchor median %8.2f us  p99 %8.2f us"
      " | ratio %.2fx",
      name, ipc.median_us, ipc.p99_us, raw.median_us, raw.p99_us, ipc.median_us / raw.median_us);
  if (payload > 0) std::printf(" | %.0f MiB/s vs %.0f MiB/s", mib_per_s, raw_mib_per_s);
  std::printf("\n");
}

bool PinSelf(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::sched_setaffinity(0, sizeof(set), &set) == 0;
}

// The started-callback of the Create call (it has no user data: one call at a time here).
std::mutex g_started_mu;
std::condition_variable g_started_cv;
bool g_started = false;
int g_started_code = -1;
OHIPCRemoteProxy* g_started_proxy = nullptr;

void OnStarted(int code, OHIPCRemoteProxy* proxy) {
  std::lock_guard lock(g_started_mu);
  g_started = true;
  g_started_code = code;
  g_started_proxy = proxy;
  g_started_cv.notify_all();
}

// Starts the IPC-type child and pins all its threads to `cpu`. Null on failure (printed).
OHIPCRemoteProxy* CreateServedChild(int cpu) {
  {
    std::lock_guard lock(g_started_mu);
    g_started = false;
  }
  int rc = OH_Ability_CreateNativeChildProcess(NCP_IPC_BENCH_CHILD, OnStarted);
  if (rc != NCP_NO_ERROR) {
    std::fprintf(stderr, "Create failed: %d %s\n", rc, NCP_GetLastErrorMessage());
    return nullptr;
  }
  std::unique_lock lock(g_started_mu);
  g_started_cv.wait(lock, [] { return g_started; });
  if (g_started_code != NCP_NO_ERROR) {
    std::fprintf(stderr, "the started-callback reported %d\n", g_started_code);
    return nullptr;
  }
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  OH_IPCParcel_WriteInt32(data, cpu);
  rc = OH_IPCRemoteProxy_SendRequest(g_started_proxy, 3, data, reply, nullptr);
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
  if (rc != OH_IPC_SUCCESS) std::fprintf(stderr, "cannot pin the child to CPU %d\n", cpu);
  return g_started_proxy;
}

void EndServedChild(OHIPCRemoteProxy* proxy) {
  OHIPCParcel* data = OH_IPCParcel_Create();
  OH_IPC_MessageOption one_way{OH_IPC_REQUEST_MODE_ASYNC, 0, nullptr};
  OH_IPCRemoteProxy_SendRequest(proxy, 4, data, nullptr, &one_way);
  OH_IPCParcel_Destroy(data);
  OH_IPCRemoteProxy_Destroy(proxy);
}

// One placement: parent on `parent_cpu`, both children on `child_cpu`. Returns false when the
// int32 round trip misses the bar.
bool RunPlacement(const char* title, int parent_cpu, int child_cpu, bool* ran) {
  *ran = false;
  if (!PinSelf(parent_cpu)) return true;
  Child raw;
  if (!SpawnPeer("raw", child_cpu, &raw)) {
    std::fprintf(stderr, "cannot start %s\n", NCP_IPC_BENCH_PEER);
    return false;
  }
  OHIPCRemoteProxy* proxy = CreateServedChild(child_cpu);
  if (proxy == nullptr) return false;
  *ran = true;
  std::printf("%s\n", title);
  bool met = true;
  OHIPCParcel* reply = OH_IPCParcel_Create();
  {
    OHIPCParcel* data = OH_IPCParcel_Create();
    OH_IPCParcel_WriteInt32(data, 42);
    auto [ipc, anchor] = MeasurePair(20000, IpcRoundTrip(proxy, 1, data, reply),
                                     RawPingPong(raw, kFrameHeaderBytes + 4));
    Report("  int32 round trip", 0, ipc, anchor);
    if (ipc.median_us > 2 * anchor.median_us) {
      std::printf("  FAILS the bar: median above 2x the anchor\n");
      met = false;
    }
    OH_IPCParcel_Destroy(data);
  }
  for (size_t size : {size_t{1024}, size_t{64 * 1024}}) {
    OHIPCParcel* data = OH_IPCParcel_Create();
    std::vector<uint8_t> bytes(size, 0x5a);
    OH_IPCParcel_WriteBuffer(data, bytes.data(), static_cast<int32_t>(size));
    auto [ipc, anchor] =
        MeasurePair(size > 4096 ? 4000 : 20000, IpcRoundTrip(proxy, 2, data, reply),
                    RawPingPong(raw, kFrameHeaderBytes + size));
    Report(size > 4096 ? "  64 KiB echo" : "  1 KiB echo", size, ipc, anchor);
    OH_IPCParcel_Destroy(data);
  }
  OH_IPCParcel_Destroy(reply);
  EndServedChild(proxy);
  return met;
}

}  // namespace

int main() {
  cpu_set_t allowed;
  if (::sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return 1;
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
  }
  bool ran = false;
  bool met = RunPlacement("parent and child on one CPU:", cpus[0], cpus[0], &ran);
  if (cpus.size() > 1) {
    bool ran_split = false;
    met = RunPlacement("parent and child on different CPUs:", cpus[0], cpus[1], &ran_split) && met;
  }
  return ran && met ? 0 : 2;
}
