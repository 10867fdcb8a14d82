// The process-wide pool of IPC worker threads that run stub callbacks for requests arriving
// from peers (OpenHarmony's IPC thread pool: at most 16 by default, settable to 1..32).
//
// Threads start on demand, when a task arrives and no worker is idle, and then stay: no thread
// is created per request. A submitted task wakes exactly one idle worker. Threads that join
// with OH_IPCSkeleton_JoinWorkThread serve the same queue on top of the maximum.
//
// The pool is created on first use and deliberately never destroyed: a library must not make
// process exit wait for (or race with) its threads, so the workers are detached at creation and
// the pool outlives them.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace ncp::ipc {

class WorkerPool {
 public:
  static constexpr int kDefaultMaxThreads = 16;
  static constexpr int kMinThreads = 1;
  static constexpr int kMaxThreads = 32;

  static WorkerPool& Instance();

  // Queues `task`; never blocks (the connection reader must keep reading). False only if no
  // worker exists and none could be started.
  bool Submit(std::function<void()> task);

  bool SetMaxThreads(int max_threads);  // false outside [1, 32]
  int max_threads() const;
  int thread_count() const;

  // The calling thread serves tasks until StopCurrentThread() is called on it.
  void JoinCurrentThread();
  void StopCurrentThread();

 private:
  WorkerPool() = default;
  void Serve(bool joined);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  int max_threads_ = kDefaultMaxThreads;
  int threads_ = 0;  // pool-owned threads, not joined ones
  int idle_ = 0;
};

}  // namespace ncp::ipc
