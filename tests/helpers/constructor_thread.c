/* A library whose constructor starts a thread before anyone calls it, as some real libraries
 * do (thread pools, loggers). In the entry form the seccomp filter goes on after the library
 * is loaded, so this thread exists before it; the filter must reach it too (TSYNC).
 *   ConstructorThreadSyscall(params = NR): the thread calls syscall(NR, -1, 0, ...) and the
 *   entry writes "constructor-thread:NR=<errno name or ok>" to stdout. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"

static int g_request[2] = {-1, -1};
static int g_answer[2] = {-1, -1};

static void* Worker(void* unused) {
  (void)unused;
  long nr = 0;
  if (read(g_request[0], &nr, sizeof nr) != (ssize_t)sizeof nr) return NULL;
  const long result = syscall(nr, -1L, 0L, 0L, 0L, 0L, 0L);
  const int err = result < 0 ? errno : 0;
  if (write(g_answer[1], &err, sizeof err) != (ssize_t)sizeof err) return NULL;
  return NULL;
}

__attribute__((constructor)) static void StartWorker(void) {
  pthread_t thread;
  if (pipe(g_request) != 0 || pipe(g_answer) != 0) return;
  if (pthread_create(&thread, NULL, Worker, NULL) == 0) pthread_detach(thread);
}

__attribute__((visibility("default"))) void ConstructorThreadSyscall(NativeChildProcess_Args args) {
  const long nr = atol(args.entryParams != NULL ? args.entryParams : "0");
  int err = -1;
  if (write(g_request[1], &nr, sizeof nr) != (ssize_t)sizeof nr ||
      read(g_answer[0], &err, sizeof err) != (ssize_t)sizeof err) {
    printf("constructor-thread:%ld=no-thread\n", nr);
    return;
  }
  printf("constructor-thread:%ld=%s\n", nr, err == 0 ? "ok" : strerrorname_np(err));
  fflush(stdout);
}
