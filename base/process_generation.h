// Telling this process from a copy of it. State a library keeps for a process (an fd it opened,
// a connection to its helper) speaks for that process only. fork() runs atfork handlers that can
// drop such state in the child, but a raw clone() runs none, and a clone into a new pid
// namespace can even have the same pid as its parent (both pid 1, say): neither getpid() nor
// the handlers can tell the copy. A page marked MADV_WIPEONFORK can: the kernel gives every
// process made by fork() or by any clone() without CLONE_VM a zero-filled copy of it.
#pragma once

#include <cstdint>

namespace ncp::base {

// Nonzero, the same for the life of this process, and different in every copy of it made since
// (fork, or clone without CLONE_VM), whichever pid the copy has. Costs a load once the page
// exists. Where MADV_WIPEONFORK is not available (Linux before 4.14), a copy is told by its pid
// only.
uint64_t ThisProcessGeneration();

// Whether ThisProcessGeneration() tells every copy apart (the wipe-on-fork page exists), or
// only copies with another pid. What must never be read by a copy (credentials) is trusted only
// when it does.
bool CopiesAreToldApart();

}  // namespace ncp::base
