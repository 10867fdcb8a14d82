/* Entries for the security tests that report on fd 1 (no named fds needed). */
#include <stdio.h>
#include <string.h>

#include "AbilityKit/native_child_process.h"
#include "entry_io.h"

#define EXPORT __attribute__((visibility("default")))

/* "PARAMS Key:\tvalue" for each credential line of /proc/self/status (Uid, Gid, Groups, the
   capability sets, NoNewPrivs), on stdout. */
EXPORT void ReportCredentials(NativeChildProcess_Args args) {
  static const char* const kKeys[] = {"Uid:",    "Gid:",    "Groups:", "CapInh:",    "CapPrm:",
                                      "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:"};
  FILE* f = fopen("/proc/self/status", "re");
  if (f == NULL) return;
  char line[512];
  char out[600];
  while (fgets(line, sizeof line, f) != NULL) {
    for (size_t i = 0; i < sizeof kKeys / sizeof kKeys[0]; ++i) {
      if (strncmp(line, kKeys[i], strlen(kKeys[i])) == 0) {
        snprintf(out, sizeof out, "%s %s", args.entryParams, line);
        (void)EntryWriteAll(1, out, strlen(out));
      }
    }
  }
  fclose(f);
}

/* Writes PARAMS and a newline on stdout. */
EXPORT void SayOnStdout(NativeChildProcess_Args args) {
  (void)EntryWriteAll(1, args.entryParams, strlen(args.entryParams));
  (void)EntryWriteAll(1, "\n", 1);
}
