#include "entry_io.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void EntrySpinCpu(long ms) {
  struct timespec start, now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
  volatile unsigned long x = 0;
  do {
    for (int i = 0; i < 100000; ++i) x += (unsigned long)i;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

int EntryFd(NativeChildProcess_Args args, const char* name) {
  for (NativeChildProcess_Fd* n = args.fdList.head; n != NULL; n = n->next) {
    if (strcmp(n->fdName, name) == 0) return n->fd;
  }
  return -1;
}

bool EntryWriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= (size_t)n;
  }
  return true;
}
