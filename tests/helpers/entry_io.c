#include "entry_io.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

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
