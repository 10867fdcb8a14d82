// Page-table prefaulting for a prepared (warm) child: done while it waits for its request, so
// that serving the request does not fault on pages every start touches.
//
// Why: a page fault here costs 5-9 us when the machine has been idle a moment (a start now and
// then), and a warm child served some ten of them between its request and its entry: code of
// the runtime and of the loader that the preparation never ran (each a fault, though the page
// is in the page cache), and fresh heap pages for the request and the loader's allocations.
// Prefaulted, only the library's own pages fault (its mappings are made by the load itself).
//
// Costs, stated: page tables for the text and read-only data of the objects loaded then (a few
// pages of page tables), and kHeapPrefaultBytes of heap that stays this child's. The pages
// mapped are the page cache's, shared with every process using the same libraries: no new
// memory, but RSS counts them all and PSS its share (a prepared child went from about 0.25 to
// 0.55 MB PSS, 1.7 to 3.6 MB RSS, here).
// Called by the warm child only: a cold child's start would pay for it.
#pragma once

#include <cstddef>

namespace ncp::core {

// The heap a prepared child touches ahead of its request: room for the decoded request and the
// loader's allocations for one library.
inline constexpr size_t kHeapPrefaultBytes = 32 * 1024;

// Maps (without writing) every page of the text and read-only segments of every loaded object,
// and leaves kHeapPrefaultBytes of touched heap free for the next allocations. Best effort:
// what the kernel refuses (MADV_POPULATE_READ before Linux 5.14) is left to fault as before.
void PrefaultForServing();

}  // namespace ncp::core
