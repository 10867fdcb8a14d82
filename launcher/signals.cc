#include "launcher/signals.h"

#include <signal.h>

#include <atomic>

namespace ncp::launcher {
namespace {

constexpr int kForwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};

std::atomic<pid_t> g_forward_to{0};
sigset_t g_caller_mask;
bool g_caller_mask_saved = false;

void Forward(int sig) {
  const pid_t pid = g_forward_to.load(std::memory_order_relaxed);
  if (pid > 0) kill(pid, sig);
}

sigset_t ForwardedSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  return set;
}

}  // namespace

void ForwardSignalsTo(pid_t pid) {
  g_forward_to.store(pid, std::memory_order_relaxed);
  struct sigaction action{};
  action.sa_handler = Forward;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : kForwarded) sigaction(sig, &action, nullptr);
}

void BlockForwardedSignals() {
  const sigset_t set = ForwardedSet();
  sigset_t old;
  sigprocmask(SIG_BLOCK, &set, &old);
  if (!g_caller_mask_saved) {
    g_caller_mask = old;
    g_caller_mask_saved = true;
  }
}

void UnblockForwardedSignals() {
  const sigset_t set = ForwardedSet();
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

void RestoreCallerSignalMask() {
  if (g_caller_mask_saved) sigprocmask(SIG_SETMASK, &g_caller_mask, nullptr);
}

}  // namespace ncp::launcher
