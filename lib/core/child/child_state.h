// Process-wide state of the child side: whether this process is an ncp child, and the
// arguments its entry received (for OH_Ability_GetCurrentChildProcessArgs).
//
// Child side; the C API (app/api.cc) reads it too, and the starters refuse a start from inside a
// child.

#pragma once

#include "AbilityKit/native_child_process.h"

namespace ncp::core {

bool InChildProcess();
void MarkAsChildProcess();

// Stores a shallow copy of `args` (OpenHarmony shares the buffers with the entry's argument).
void SetCurrentArgs(const NativeChildProcess_Args& args);
// NULL until SetCurrentArgs ran in this process.
NativeChildProcess_Args* CurrentArgs();

}  // namespace ncp::core
