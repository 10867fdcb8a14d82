// TeardownHelper: a normal child's memory is freed by a helper process after the child has
// ended, so that the end reaches the fork server, and the exit callbacks, without waiting for it.
//
// Why: three quarters of a child's exit is the kernel freeing its address space (__mmput:
// unmapping, freeing pages and page tables; ~80-140 us here), and the parent hears of the end
// only after it. A process that shares the child's memory (CLONE_VM) keeps that memory alive
// when the child exits: the child's end is then reported at once, and the memory is freed when
// the helper, its last user, exits right after.
//
// The helper cannot do anything but wait and exit. It shares the child's memory but nothing
// else: it closes every fd but a pidfd of the child, blocks every signal, dies with the fork
// server (parent-death signal; it is the server's child, CLONE_PARENT, which reaps it without a
// word), can never dump core (RLIMIT_CORE 0, its own), drops every capability, runs at a low
// priority (nice 10: the exit record's processes go first), and confines itself with a
// seccomp filter that allows only waiting (ppoll, futex) and exiting.
// The child's own code may later drop privileges, or write anywhere in the memory they share:
// the helper's credentials are then of no use to it. The child runs no code of its user until
// the helper is confined; one that is not confined in time is killed.
//
// Costs, stated: a second task per normal child, prepared or running (not started where the
// child's RLIMIT_NPROC is below kMinProcessLimit; a cgroup's pids.max is not consulted); the
// child's memory and mappings outlive its exit report by the time the freeing takes (some
// 100 us; longer on a busy machine): a file it mapped may still be busy (ETXTBSY, EBUSY on
// unmount, F_SEAL_WRITE refused on a memfd it mapped writable) right after its exit callback;
// the child's reported CPU time leaves out the freeing (the helper's has it); and a child whose
// code execs another program keeps the memory it had before the exec until it ends. Normal
// mode only: an isolated child's end is reported through ncp-launch.
#pragma once

namespace ncp::core {

// Below this RLIMIT_NPROC (soft), no helper is started.
inline constexpr unsigned long kMinProcessLimit = 4096;

// Starts the helper for the calling process, a normal child that runs the child runtime, before
// any user code, and returns once it is confined (or killed: when it is not confined within
// 200 ms; the child exits with 127 if it cannot be). Best effort: without a helper the child
// frees its own memory as it ends. Leaves no fd open.
void StartTeardownHelper();

}  // namespace ncp::core
