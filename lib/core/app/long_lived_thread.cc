#include "core/app/long_lived_thread.h"

#include <pthread.h>
#include <signal.h>

namespace ncp::core {

std::thread::id StartSignalFreeThread(std::function<void()> body) {
  // Block signals before creating the thread so it starts with them blocked: no window in
  // which an application handler could run on a library thread.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  std::thread t(std::move(body));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  std::thread::id id = t.get_id();
  t.detach();
  return id;
}

LongLivedThread::LongLivedThread() {
  id_ = StartSignalFreeThread([this] { Loop(); });
}

void LongLivedThread::Run(const std::function<void()>& job) {
  if (std::this_thread::get_id() == id_) {
    job();
    return;
  }
  bool finished = false;
  std::condition_variable done;
  std::unique_lock lock(mu_);
  jobs_.emplace_back([&] {
    job();
    std::lock_guard finished_lock(mu_);
    finished = true;
    done.notify_one();
  });
  cv_.notify_one();
  done.wait(lock, [&] { return finished; });
}

void LongLivedThread::Loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !jobs_.empty(); });
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace ncp::core
