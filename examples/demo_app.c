/* ncp-demo: starts real children through the OpenHarmony API and shows how each one ended. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"
#include "ncp/native_child_process_ext.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_exits = 0;

/* OpenHarmony's callback: pid and terminating signal (0 = exited by itself). */
static void OnExit(int32_t pid, int32_t signal) {
  printf("  exit callback: pid %d, signal %d\n", pid, signal);
}

/* The Linux extension: the full record. */
static void OnExitRecord(const NCP_ChildExitInfo* info, void* user_data) {
  (void)user_data;
  printf("  exit record:   pid %d, exit code %d, signal %d, core %d, cpu %lld us, peak rss %lld KiB\n",
         info->pid, info->exitCode, info->signal, info->coreDumped,
         (long long)(info->userTimeUs + info->systemTimeUs), (long long)info->maxRssKiB);
  fflush(stdout);
  pthread_mutex_lock(&g_mu);
  ++g_exits;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

static void WaitForExits(int n) {
  pthread_mutex_lock(&g_mu);
  while (g_exits < n) pthread_cond_wait(&g_cv, &g_mu);
  pthread_mutex_unlock(&g_mu);
}

static int32_t Start(const char* entry, const char* params, NativeChildProcess_Fd* fds,
                     NativeChildProcess_IsolationMode mode) {
  NativeChildProcess_Args args = {(char*)params, {fds}};
  NativeChildProcess_Options options = {mode, 0};
  int32_t pid = 0;
  int rc = OH_Ability_StartNativeChildProcess(entry, args, options, &pid);
  printf("start %-40s -> %d", entry, rc);
  if (rc == NCP_NO_ERROR) {
    printf(", pid %d\n", pid);
  } else {
    printf(" (%s)\n", NCP_GetLastErrorMessage());
  }
  fflush(stdout);
  return rc == NCP_NO_ERROR ? pid : -1;
}

int main(void) {
  setenv("NCP_LIBRARY_PATH", NCP_DEMO_LIB_DIR, 0);
  OH_Ability_RegisterNativeChildProcessExitCallback(OnExit);
  NCP_RegisterChildExitCallback(OnExitRecord, NULL);

  printf("== a child with params and a named fd\n");
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return 1;
  NativeChildProcess_Fd result = {(char*)"result", p[1], NULL};
  int expected = 0;
  expected += Start("libncp_demo_worker.so:CountWords", "native child processes on Linux", &result,
                    NCP_ISOLATION_MODE_NORMAL) > 0;
  close(p[1]); /* the call copied it: the child has its own */
  char buf[256];
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    printf("  from the child: %s", buf);
  }
  close(p[0]);
  WaitForExits(expected);

  printf("== a child that crashes\n");
  expected += Start("libncp_demo_worker.so:ParseUntrusted", "\xff\xfe garbage", NULL,
                    NCP_ISOLATION_MODE_NORMAL) > 0;
  WaitForExits(expected);

  printf("== a child killed by its parent\n");
  int32_t idle = Start("libncp_demo_worker.so:Idle", NULL, NULL, NCP_ISOLATION_MODE_NORMAL);
  if (idle > 0) {
    ++expected;
    printf("kill %d -> %d\n", idle, OH_Ability_KillChildProcess(idle));
  }
  WaitForExits(expected);

  printf("== a library that does not exist (the start succeeds; the child exits 120)\n");
  expected += Start("libmissing.so:Main", NULL, NULL, NCP_ISOLATION_MODE_NORMAL) > 0;
  WaitForExits(expected);

  printf("== an isolated child (profile \"default\": namespaces, no network, seccomp)\n");
  if (pipe2(p, O_CLOEXEC) != 0) return 1;
  result.fd = p[1];
  int32_t isolated = Start("libncp_demo_worker.so:ProbeSandbox", NULL, &result,
                           NCP_ISOLATION_MODE_ISOLATED);
  close(p[1]);
  while ((n = read(p[0], buf, sizeof buf - 1)) > 0) {
    buf[n] = 0;
    printf("%s", buf);
  }
  close(p[0]);
  if (isolated > 0) WaitForExits(++expected);

  printf("== an isolated parser that crashes (the sandbox reports the real signal)\n");
  isolated = Start("libncp_demo_worker.so:ParseUntrusted", "\xff\xfe garbage", NULL,
                   NCP_ISOLATION_MODE_ISOLATED);
  if (isolated > 0) WaitForExits(++expected);
  printf("done: %d children ended, each reported once\n", g_exits);
  return 0;
}
