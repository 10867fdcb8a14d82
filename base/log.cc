#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <utility>

#include "base/terminal_text.h"

namespace ncp::base {
namespace {

// The sink and the calls of it in progress. `g_has_sink` lets the stderr path (children,
// forked images) skip the mutex entirely.
struct SinkState {
  std::mutex mu;
  std::condition_variable idle;
  LogSink sink = nullptr;
  void* user_data = nullptr;
  int calls_in_progress = 0;
};

SinkState& State() {
  static auto* state = new SinkState();  // never destroyed: logging may happen at exit
  return *state;
}

std::atomic<bool> g_has_sink{false};
thread_local bool t_inside_sink = false;

constexpr char kPrefix[] = "ncp: ";

// Writes the escaped line after `prefix_room` bytes of `buf` and returns its end.
size_t Format(char* buf, size_t size, size_t prefix_room, const char* fmt, va_list ap) {
  char raw[1024];
  const int m = std::vsnprintf(raw, sizeof raw, fmt, ap);
  if (m < 0) return 0;
  // Names and messages in the line may come from files and options: no terminal controls.
  return prefix_room + EscapeForTerminal(std::string_view(raw, std::strlen(raw)), buf + prefix_room,
                                         size - prefix_room - 1);
}

// true when a sink took the message.
bool SendToSink(LogLevel level, const char* message) {
  if (!g_has_sink.load(std::memory_order_acquire)) return false;
  SinkState& state = State();
  LogSink sink;
  void* user_data;
  {
    std::lock_guard lock(state.mu);
    if (state.sink == nullptr) return false;
    sink = state.sink;
    user_data = state.user_data;
    ++state.calls_in_progress;
  }
  t_inside_sink = true;
  sink(level, message, user_data);
  t_inside_sink = false;
  {
    std::lock_guard lock(state.mu);
    --state.calls_in_progress;
  }
  state.idle.notify_all();
  return true;
}

void Emit(LogLevel level, const char* fmt, va_list ap) {
  char buf[1024];
  constexpr size_t kPrefixLength = sizeof kPrefix - 1;
  std::memcpy(buf, kPrefix, kPrefixLength);
  size_t len = Format(buf, sizeof buf, kPrefixLength, fmt, ap);
  if (len == 0) return;
  buf[len] = '\0';
  if (SendToSink(level, buf + kPrefixLength)) return;
  buf[len++] = '\n';
  ssize_t ignored = ::write(STDERR_FILENO, buf, len);
  (void)ignored;
}

}  // namespace

void LogLine(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Emit(LogLevel::kError, fmt, ap);
  va_end(ap);
}

void LogAt(LogLevel level, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Emit(level, fmt, ap);
  va_end(ap);
}

void* SetLogSink(LogSink sink, void* user_data) {
  SinkState& state = State();
  std::unique_lock lock(state.mu);
  state.sink = sink;
  void* old = std::exchange(state.user_data, user_data);
  g_has_sink.store(sink != nullptr, std::memory_order_release);
  // A sink that replaces itself would wait for its own call: it only stops future calls.
  if (!t_inside_sink) state.idle.wait(lock, [&] { return state.calls_in_progress == 0; });
  return old;
}

bool HasLogSink() { return g_has_sink.load(std::memory_order_acquire); }

}  // namespace ncp::base

namespace ncp::base {
bool InsideLogSink() { return t_inside_sink; }
}  // namespace ncp::base
