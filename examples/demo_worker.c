/* The demo's child library: entries an application starts with
   OH_Ability_StartNativeChildProcess("libncp_demo_worker.so:<Entry>", ...). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"

#define EXPORT __attribute__((visibility("default")))

static int FdNamed(NativeChildProcess_Args args, const char* name) {
  for (NativeChildProcess_Fd* n = args.fdList.head; n != NULL; n = n->next) {
    if (strcmp(n->fdName, name) == 0) return n->fd;
  }
  return -1;
}

/* Counts the words of its params and writes the answer to the fd named "result". */
EXPORT void CountWords(NativeChildProcess_Args args) {
  int words = 0, in_word = 0;
  for (const char* p = args.entryParams; *p; ++p) {
    int space = *p == ' ' || *p == '\n' || *p == '\t';
    words += !space && !in_word;
    in_word = !space;
  }
  char line[128];
  int n = snprintf(line, sizeof line, "child %d (%s): %d words in \"%s\"\n", (int)getpid(),
                   args.fdList.head ? args.fdList.head->fdName : "-", words, args.entryParams);
  ssize_t ignored = write(FdNamed(args, "result"), line, (size_t)n);
  (void)ignored;
}

/* A parser that trips over its input: dies with SIGSEGV, as a real bug would. */
EXPORT void ParseUntrusted(NativeChildProcess_Args args) {
  (void)args;
  signal(SIGSEGV, SIG_DFL);
  volatile char* volatile nowhere = NULL;
  *nowhere = 1;
}

/* Waits to be killed by its parent. */
EXPORT void Idle(NativeChildProcess_Args args) {
  (void)args;
  for (;;) pause();
}

/* Looks around from inside a sandbox and writes what it found to the fd named "result". */
EXPORT void ProbeSandbox(NativeChildProcess_Args args) {
  char line[512];
  int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
  int open_errno = fd < 0 ? errno : 0;
  if (fd >= 0) close(fd);
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int socket_errno = s < 0 ? errno : 0;
  if (s >= 0) close(s);
  int n = snprintf(line, sizeof line,
                   "  inside: pid %d, parent %d; open(/etc/passwd): %s; socket(AF_INET): %s\n",
                   (int)getpid(), (int)getppid(), open_errno ? strerror(open_errno) : "opened",
                   socket_errno ? strerror(socket_errno) : "created");
  ssize_t ignored = write(FdNamed(args, "result"), line, (size_t)n);
  (void)ignored;
}
