/* What every test entry needs to talk back to its test: its passed fds by name, and whole
   writes. Internal to libncp_test_entries.so (hidden, not entries). */
#ifndef NCP_TESTS_HELPERS_ENTRY_IO_H_
#define NCP_TESTS_HELPERS_ENTRY_IO_H_

#include <stdbool.h>
#include <stddef.h>

#include "AbilityKit/native_child_process.h"

/* The fd passed under `name`, or -1. */
int EntryFd(NativeChildProcess_Args args, const char* name);

/* Spins on the CPU until this thread has used `ms` milliseconds of CPU time. */
void EntrySpinCpu(long ms);

/* Writes all `len` bytes to `fd` (retrying short writes and EINTR); false if that failed. */
bool EntryWriteAll(int fd, const char* data, size_t len);

#endif  // NCP_TESTS_HELPERS_ENTRY_IO_H_
