// LongLivedThread: a library-owned thread that runs jobs handed to it and lives as long as the
// process. Children are spawned from it because the kernel's parent-death signal follows the
// *thread* that created a child: a child spawned from an application thread that later exits
// would be killed with it. All signals are blocked on this thread, so application handlers
// never run here.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace ncp::core {

class LongLivedThread {
 public:
  LongLivedThread();
  // Never destroyed while the process runs (the owner leaks it on purpose).
  ~LongLivedThread() = delete;

  // Runs `job` on the thread and waits for it. Runs inline when called from the thread itself.
  void Run(const std::function<void()>& job);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::thread::id id_;
};

// Starts a detached thread with every signal blocked.
std::thread::id StartSignalFreeThread(std::function<void()> body);

}  // namespace ncp::core
