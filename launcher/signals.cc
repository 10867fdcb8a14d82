#include "launcher/signals.h"

#include <signal.h>

#include <atomic>

namespace ncp::launcher {
namespace {

std::atomic<pid_t> g_forward_to{0};

void Forward(int sig) {
  const pid_t pid = g_forward_to.load(std::memory_order_relaxed);
  if (pid > 0) kill(pid, sig);
}

}  // namespace

void ForwardSignalsTo(pid_t pid) {
  g_forward_to.store(pid, std::memory_order_relaxed);
  struct sigaction action{};
  action.sa_handler = Forward;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2}) {
    sigaction(sig, &action, nullptr);
  }
}

}  // namespace ncp::launcher
