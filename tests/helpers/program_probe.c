/* A program for NCP_StartChildProgram's tests: writes what it was started with to stdout, one
 * "key=value" line each, then ends as its first argument says.
 *   argv=<each argument, in order>
 *   env=<each environment entry, in order>
 *   cwd=<working directory>
 *   fds=<open descriptors, ascending, space-separated, without the one used to list them>
 *   fd<N>=<what was read from descriptor N until EOF>   for each "read:N" argument
 * Arguments: "exit:N" exits with N after writing; "signal:N" raises signal N; "read:N" reads fd
 * N to EOF and reports it. Everything else is just reported. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char** environ;

static int CompareInts(const void* a, const void* b) { return *(const int*)a - *(const int*)b; }

static void PrintFds(void) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == NULL) {
    printf("fds=?\n");
    return;
  }
  int fds[1024];
  int n = 0;
  struct dirent* entry;
  while ((entry = readdir(dir)) != NULL && n < 1024) {
    if (entry->d_name[0] == '.') continue;
    const int fd = atoi(entry->d_name);
    if (fd != dirfd(dir)) fds[n++] = fd;
  }
  closedir(dir);
  qsort(fds, (size_t)n, sizeof fds[0], CompareInts);
  printf("fds=");
  for (int i = 0; i < n; ++i) printf(i == 0 ? "%d" : " %d", fds[i]);
  printf("\n");
}

static void PrintReadFd(int fd) {
  char buf[256];
  size_t len = 0;
  ssize_t got;
  while (len < sizeof buf - 1 && (got = read(fd, buf + len, sizeof buf - 1 - len)) > 0) {
    len += (size_t)got;
  }
  buf[len] = '\0';
  printf("fd%d=%s\n", fd, buf);
}

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) printf("argv=%s\n", argv[i]);
  for (char** env = environ; *env != NULL; ++env) printf("env=%s\n", *env);
  char cwd[4096];
  printf("cwd=%s\n", getcwd(cwd, sizeof cwd) != NULL ? cwd : "?");
  PrintFds();
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "read:", 5) == 0) PrintReadFd(atoi(argv[i] + 5));
  }
  fflush(stdout);
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "exit:", 5) == 0) return atoi(argv[i] + 5);
    if (strncmp(argv[i], "signal:", 7) == 0) raise(atoi(argv[i] + 7));
  }
  return 0;
}
