#include "ipc/worker_pool.h"

#include <system_error>
#include <thread>

#include "base/log.h"

namespace ncp::ipc {
namespace {

thread_local bool t_stop_requested = false;
thread_local bool t_is_joined_worker = false;

}  // namespace

WorkerPool& WorkerPool::Instance() {
  static WorkerPool* pool = new WorkerPool();  // never destroyed: see the header
  return *pool;
}

bool WorkerPool::Submit(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  tasks_.push_back(std::move(task));
  // Woken-but-not-yet-running workers still count as idle, so a burst of tasks starts as many
  // threads as it needs rather than piling onto one.
  bool wake = idle_ > 0;
  bool start = tasks_.size() > static_cast<size_t>(idle_) && threads_ < max_threads_;
  if (start) ++threads_;
  lock.unlock();
  if (wake) wake_.notify_one();
  if (!start) return true;
  try {
    std::thread([this] { Serve(false); }).detach();
    return true;
  } catch (const std::system_error&) {
    lock.lock();
    --threads_;
    if (threads_ > 0 || idle_ > 0) return true;  // someone will still run it
    tasks_.pop_back();
    base::LogLine("ipc: cannot start an IPC worker thread");
    return false;
  }
}

void WorkerPool::Serve(bool joined) {
  std::unique_lock lock(mutex_);
  while (!(joined && t_stop_requested)) {
    if (tasks_.empty()) {
      ++idle_;
      wake_.wait(lock);
      --idle_;
      continue;
    }
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();  // tasks catch their own exceptions
    task = nullptr;
    lock.lock();
  }
}

bool WorkerPool::SetMaxThreads(int max_threads) {
  if (max_threads < kMinThreads || max_threads > kMaxThreads) return false;
  std::lock_guard lock(mutex_);
  max_threads_ = max_threads;
  return true;
}

int WorkerPool::max_threads() const {
  std::lock_guard lock(mutex_);
  return max_threads_;
}

int WorkerPool::thread_count() const {
  std::lock_guard lock(mutex_);
  return threads_;
}

void WorkerPool::JoinCurrentThread() {
  if (t_is_joined_worker) return;
  t_is_joined_worker = true;
  t_stop_requested = false;
  Serve(true);
  t_is_joined_worker = false;
  t_stop_requested = false;
}

// Only the joined thread itself can leave (from a callback it runs), as in OpenHarmony, where
// the stop applies to the calling thread's IPC state.
void WorkerPool::StopCurrentThread() {
  if (t_is_joined_worker) t_stop_requested = true;
}

}  // namespace ncp::ipc
