#include "core/child/page_prefault.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif

namespace ncp::core {
namespace {

int PopulateReadOnlySegments(dl_phdr_info* info, size_t, void*) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    // Writable segments are left alone: populating them for writing would copy their pages.
    if (segment.p_type != PT_LOAD || (segment.p_flags & PF_W) != 0 || segment.p_memsz == 0) {
      continue;
    }
    const uintptr_t start = (info->dlpi_addr + segment.p_vaddr) & ~(page - 1);
    const uintptr_t end = (info->dlpi_addr + segment.p_vaddr + segment.p_memsz + page - 1) &
                          ~(page - 1);
    // The vDSO and anything else that cannot be populated refuses (EINVAL, EFAULT): it faults
    // as it did.
    (void)madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_READ);
  }
  return 0;
}

}  // namespace

void PrefaultForServing() {
  dl_iterate_phdr(PopulateReadOnlySegments, nullptr);
  // Freed at once, it stays in the heap's top, touched (below malloc's trim threshold).
  if (void* heap = malloc(kHeapPrefaultBytes)) {
    memset(heap, 0, kHeapPrefaultBytes);
    // The compiler may not drop the stores: the memory is read through a volatile view.
    (void)*static_cast<volatile char*>(heap);
    free(heap);
  }
}

}  // namespace ncp::core
