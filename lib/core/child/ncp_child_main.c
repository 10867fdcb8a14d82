/* ncp-child: started once per application as its fork server, which forks every normal-mode
   child. All the work is in libchild_process.so, so the user's library and the runtime share
   one instance of it. */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "core/child/child_runtime.h"
#include "ncp/native_child_process_ext.h"

/* Both paths load a library a request names, so a setuid, setgid or file-capability copy would
   load anything as its owner. The kernel says so with AT_SECURE when the exec gained privilege;
   the bits themselves are refused too, as ncp-launch does. Returns 0 when it may run. */
static int RefuseIfPrivileged(void) {
  struct stat st;
  if (getauxval(AT_SECURE) != 0) {
    fputs("ncp-child: must not run setuid, setgid or with file capabilities\n", stderr);
    return -1;
  }
  if (stat("/proc/self/exe", &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)) != 0) {
    fputs("ncp-child: must not be installed setuid or setgid; remove the bit\n", stderr);
    return -1;
  }
  if (getxattr("/proc/self/exe", "security.capability", NULL, 0) >= 0) {
    fputs("ncp-child: must not carry file capabilities; remove them (setcap -r)\n", stderr);
    return -1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (RefuseIfPrivileged() != 0) return NCP_CHILD_EXIT_SANDBOX_FAILED;  // nothing of the child ran
  if (argc > 1 && strcmp(argv[1], "--fork-server") == 0) ncp_internal_fork_server_main(3, argv);
  if (argc > 1 && strcmp(argv[1], "--warm-child") == 0) ncp_internal_warm_child_main(3, argv);
  ncp_internal_child_main(3);
}
