#include "core/child/child_state.h"

#include <atomic>
#include <mutex>

namespace ncp::core {
namespace {
std::atomic<bool> g_in_child{false};
std::mutex g_args_mu;
NativeChildProcess_Args g_args;
bool g_args_set = false;
}  // namespace

bool InChildProcess() { return g_in_child.load(std::memory_order_acquire); }
void MarkAsChildProcess() { g_in_child.store(true, std::memory_order_release); }

void SetCurrentArgs(const NativeChildProcess_Args& args) {
  std::lock_guard lock(g_args_mu);
  g_args = args;
  g_args_set = true;
}

NativeChildProcess_Args* CurrentArgs() {
  std::lock_guard lock(g_args_mu);
  return g_args_set ? &g_args : nullptr;
}

}  // namespace ncp::core
