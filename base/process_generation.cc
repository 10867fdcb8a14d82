#include "base/process_generation.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace ncp::base {
namespace {

// The page's first word: 0 in a copy, until it takes a generation of its own.
std::atomic<uint64_t>* g_page = nullptr;  // null: no wipe-on-fork page (the pid decides)
// Ordinary memory, copied into every copy: a copy's next generation is past every generation
// its parent had handed out when it was made, so no copy takes one of its ancestors'.
std::atomic<uint64_t> g_next_generation{1};

void MapPage() {
  const long size = sysconf(_SC_PAGESIZE);
  void* page = mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return;
  if (madvise(page, static_cast<size_t>(size), MADV_WIPEONFORK) != 0) {
    munmap(page, static_cast<size_t>(size));
    return;
  }
  static_assert(std::atomic<uint64_t>::is_always_lock_free, "a plain word in the page");
  g_page = new (page) std::atomic<uint64_t>(0);
}

void MapPageOnce() {
  static std::once_flag mapped;
  std::call_once(mapped, MapPage);
}

}  // namespace

uint64_t ThisProcessGeneration() {
  MapPageOnce();
  if (g_page == nullptr) return static_cast<uint64_t>(getpid());
  uint64_t generation = g_page->load(std::memory_order_acquire);
  if (generation != 0) return generation;
  // The first ask in this process (or in this copy): two threads may race; one value wins.
  // Generations leave the pid range (pids are below 2^22), so the fallback's values and these
  // never meet in one process's records.
  uint64_t fresh = (g_next_generation.fetch_add(1) << 32) | 1;
  if (g_page->compare_exchange_strong(generation, fresh, std::memory_order_acq_rel)) return fresh;
  return generation;
}

bool CopiesAreToldApart() {
  MapPageOnce();
  return g_page != nullptr;
}

}  // namespace ncp::base
