// Minimal logging. The library prints nothing on success paths; it writes one line to stderr
// only when something a user must know about fails (e.g. a child cannot load its library).
// An application may take the lines instead (NCP_SetLogCallback → SetLogSink). OpenHarmony's
// library logs through hilog (TAG_LOGE/TAG_LOGW, e.g. OH_Ability_CreateNativeChildProcess in
// ability_ability_runtime frameworks/native/child_process/src/native_child_process.cpp); Linux
// has no log every application may write to, hence stderr unless the application says where.
#pragma once

namespace ncp::base {

enum class LogLevel { kError = 3, kWarning = 4, kInfo = 6 };

// Called with the escaped message (no "ncp: " prefix, no newline).
using LogSink = void (*)(LogLevel level, const char* message, void* user_data);

// Writes "ncp: <formatted>\n" to stderr with a single write(2), so lines from several
// processes do not interleave, or hands the message to the sink. Without a sink it is
// allocation-free and lock-free: safe after fork and in the child runtime.
void LogLine(const char* fmt, ...) __attribute__((format(printf, 1, 2)));  // kError
void LogAt(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Replaces the sink of this copy of ncp_base (NULL: stderr) and returns the old user_data.
// Once it returns, the old sink is not running and will not run, except when called from
// inside a sink call on this thread.
void* SetLogSink(LogSink sink, void* user_data);
bool HasLogSink();
// Whether this thread is inside a call of the sink.
bool InsideLogSink();

}  // namespace ncp::base
