/* The attack the teardown helper's confinement stops (lib/core/child/teardown_helper.h): a
   child shares its memory with its helper, so its code can rewrite the code the helper runs.
   This entry says "ready" on "out" and waits for a byte on "in" (the test looks at the helper
   meanwhile); then turns every instruction of libchild_process.so into a slide into Attack(),
   says "patched", waits for another byte (or EOF), and exits without running any more of
   libchild_process.so. When the child has ended, the helper's wait returns into the slide:
   Attack() then runs in the helper, with the helper's credentials, and tries to create the file
   named by the entry's params. A confined helper is killed at that first call. x86-64 only. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"
#include "entry_io.h"

#define EXPORT __attribute__((visibility("default")))

static char g_marker[512];

/* Runs in the hijacked helper: raw system calls only, nothing of libchild_process.so. */
__attribute__((noreturn, no_sanitize("address", "thread", "undefined"))) static void Attack(void) {
  syscall(SYS_openat, AT_FDCWD, g_marker, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  for (;;) syscall(SYS_exit_group, 0);
}

/* The executable mapping of libchild_process.so, from /proc/self/maps. */
static int FindLibraryCode(uintptr_t* start, uintptr_t* end) {
  FILE* maps = fopen("/proc/self/maps", "re");
  if (maps == NULL) return 0;
  char line[1024];
  int found = 0;
  while (!found && fgets(line, sizeof line, maps) != NULL) {
    unsigned long low = 0, high = 0;
    char perms[8] = "";
    if (sscanf(line, "%lx-%lx %7s", &low, &high, perms) == 3 && strcmp(perms, "r-xp") == 0 &&
        strstr(line, "/libchild_process.so") != NULL) {
      *start = low;
      *end = high;
      found = 1;
    }
  }
  fclose(maps);
  return found;
}

EXPORT void HijackTeardownHelper(NativeChildProcess_Args args) {
  const int out = EntryFd(args, "out");
  const int in = EntryFd(args, "in");
  snprintf(g_marker, sizeof g_marker, "%s", args.entryParams);
  char c;
  if (!EntryWriteAll(out, "ready\n", 6) || read(in, &c, 1) != 1) return;
#if defined(__x86_64__)
  uintptr_t start = 0, end = 0;
  if (!FindLibraryCode(&start, &end) ||
      mprotect((void*)start, end - start, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) {
    (void)EntryWriteAll(out, "cannot patch\n", 13);
    return;
  }
  /* nop ... nop; movabs rax, Attack; jmp rax */
  unsigned char* code = (unsigned char*)start;
  const size_t size = end - start;
  memset(code, 0x90, size);
  const uint64_t target = (uint64_t)(uintptr_t)&Attack;
  unsigned char* tail = code + size - 12;
  tail[0] = 0x48;
  tail[1] = 0xb8;
  memcpy(tail + 2, &target, sizeof target);
  tail[10] = 0xff;
  tail[11] = 0xe0;
  /* Only libc from here on: the library's code is gone. */
  if (write(out, "patched\n", 8) != 8) syscall(SYS_exit_group, 3);
  if (read(in, &c, 1) < 0) syscall(SYS_exit_group, 4);
  for (;;) syscall(SYS_exit_group, 0);
#else
  (void)in;
  (void)EntryWriteAll(out, "not x86-64\n", 11);
#endif
}
