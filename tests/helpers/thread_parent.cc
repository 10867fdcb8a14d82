// A parent that starts a sleeping child from a short-lived thread, then reports whether the
// child survived that thread. Used by the parent-death test, which then kills this process.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "AbilityKit/native_child_process.h"

int main() {
  int32_t pid = 0;
  std::thread([&pid] {
    NativeChildProcess_Args none{nullptr, {nullptr}};
    if (OH_Ability_StartNativeChildProcess("libncp_test_entries.so:Sleep", none,
                                           {NCP_ISOLATION_MODE_NORMAL, 0}, &pid) != NCP_NO_ERROR) {
      pid = -1;
    }
  }).join();
  std::printf("child %d\n", pid);
  std::fflush(stdout);
  usleep(300 * 1000);
  std::printf("alive %d\n", pid > 0 && kill(pid, 0) == 0 ? 1 : 0);
  std::fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  return 0;
}
