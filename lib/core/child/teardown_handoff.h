// A normal-mode child's last step, made shorter: its memory is torn down after its exit is
// reported, not before.
//
// The kernel frees a process's pages and page tables (exit_mmap) before it tells the parent
// that the process ended, so every exit report waits for that teardown: about 100 µs for a
// child that ran only the runtime and a small library, and more the more memory it touched.
// A process that shares the child's memory holds it past the child's end: the child's exit
// then skips the teardown, and its parent hears of it at once. That holder frees the memory
// when it leaves in turn, at idle priority, after the child has ended.
#pragma once

namespace ncp::core {

// Registers, with at_quick_exit, the hand-over that runs after every other quick_exit handler
// (call it before any user library is loaded, whose handlers must run first):
//   - every fd of the child is closed (the exit would close them next; the holder gets none);
//   - a holder is started that shares the child's memory (CLONE_VM) and is the child's
//     sibling (CLONE_PARENT): the fork server, which reaps every child, reaps it unreported;
//   - the holder dies with the fork server, blocks every signal, waits on the child's pidfd
//     for its end, and exits under SCHED_IDLE.
// The child then exits with the status it was given, as without the hand-over. Nothing is
// handed over (a plain exit follows) when the child runs under a seccomp filter, which might
// kill a clone; in a process the child forked, which inherits the registration; once the
// server is gone; or when the holder cannot be started.
//
// Only for a child whose parent is the fork server: normal mode, not a sandbox's child.
void HandOffTeardownAtQuickExit();

}  // namespace ncp::core
