/* host_id_helper: what a sandboxed program can do with the host id it runs as
   (host_ids_test.cc). One command per run; each writes "name=result" lines to stdout, a result
   being "ok" or the errno's name.
     map                 uid_map=INSIDE OUTSIDE COUNT, gid_map=..., groups=N (supplementary)
     write PATH VALUE    open(PATH, O_WRONLY) and write VALUE: write=ok|ERRNO
     create PATH         open(PATH, O_WRONLY|O_CREAT|O_EXCL, 0644): create=ok|ERRNO
     reopen-rw FD        open("/proc/self/fd/FD", O_RDWR): reopen-rw=ok|ERRNO
     kill-then-wait PID  kill(PID, SIGKILL): kill=ok|ERRNO, then "ready" and sleeps until killed
     forks N             forks up to N children that wait: forks=K, fork-error=ok|ERRNO
     leave-behind        forks a child that closes its fds and sleeps until killed, writes
                         leftover=PID (its pid as the caller sees it) and returns
     sleep               "ready", then sleeps until killed */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void Result(const char* name, int err) {
  printf("%s=%s\n", name, err == 0 ? "ok" : strerrorname_np(err));
  fflush(stdout);
}

/* The first line of a /proc/self map, with its runs of blanks squeezed to one. */
static void PrintMap(const char* name, const char* path) {
  char line[256] = "";
  FILE* f = fopen(path, "r");
  if (f == NULL || fgets(line, sizeof line, f) == NULL) {
    Result(name, errno);
    if (f != NULL) fclose(f);
    return;
  }
  fclose(f);
  unsigned long inside = 0, outside = 0, count = 0;
  sscanf(line, "%lu %lu %lu", &inside, &outside, &count);
  printf("%s=%lu %lu %lu\n", name, inside, outside, count);
}

static void SleepForever(void) {
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}

static int Forks(int wanted) {
  pid_t children[256];
  int made = 0, err = 0;
  if (wanted > 256) wanted = 256;
  while (made < wanted) {
    const pid_t pid = fork();
    if (pid < 0) {
      err = errno;
      break;
    }
    if (pid == 0) {
      for (;;) pause();
    }
    children[made++] = pid;
  }
  printf("forks=%d\n", made);
  Result("fork-error", err);
  for (int i = 0; i < made; ++i) kill(children[i], SIGKILL);
  for (int i = 0; i < made; ++i) waitpid(children[i], NULL, 0);
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "map") == 0) {
    PrintMap("uid_map", "/proc/self/uid_map");
    PrintMap("gid_map", "/proc/self/gid_map");
    printf("groups=%d\n", getgroups(0, NULL));
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "write") == 0) {
    const int fd = open(argv[2], O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      Result("write", errno);
      return 0;
    }
    const ssize_t n = write(fd, argv[3], strlen(argv[3]));
    Result("write", n < 0 ? errno : 0);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "create") == 0) {
    const int fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    Result("create", fd < 0 ? errno : 0);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "reopen-rw") == 0) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%s", argv[2]);
    const int fd = open(path, O_RDWR | O_CLOEXEC);
    Result("reopen-rw", fd < 0 ? errno : 0);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "kill-then-wait") == 0) {
    Result("kill", kill((pid_t)atol(argv[2]), SIGKILL) != 0 ? errno : 0);
    SleepForever();
  }
  if (argc >= 3 && strcmp(argv[1], "forks") == 0) return Forks(atoi(argv[2]));
  if (argc >= 2 && strcmp(argv[1], "leave-behind") == 0) {
    const pid_t pid = fork();
    if (pid == 0) {
      for (int fd = 0; fd < 1024; ++fd) close(fd);
      for (;;) pause();
    }
    printf("leftover=%ld\n", (long)pid);
    return pid < 0 ? 1 : 0;
  }
  if (argc >= 2 && strcmp(argv[1], "sleep") == 0) SleepForever();
  fprintf(stderr, "host_id_helper: bad command\n");
  return 2;
}
