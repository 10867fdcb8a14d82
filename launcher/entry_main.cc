// ncp-entry's main (entry_mode.h): only ncp-launch runs it, inside a sandbox it built.
#include <cstdio>
#include <cstring>

#include "base/exit_status.h"
#include "launcher/entry_mode.h"
#include "launcher/self_check.h"

int main(int argc, char** argv) {
  // First: the entry mode loads a library named by its arguments, so a privileged copy must
  // refuse it.
  if (ncp::base::Status s = ncp::launcher::RefuseIfPrivilegedBinary(); !s.ok()) {
    std::fprintf(stderr, "ncp-entry: %s\n", s.ToString().c_str());
    return ncp::base::kSandboxFailedExit;
  }
  if (argc >= 2 && std::strcmp(argv[1], ncp::launcher::kEntryModeFlag) == 0) {
    ncp::launcher::RunEntryMode(argc, argv);
  }
  std::fprintf(stderr, "ncp-entry: ncp-launch runs this in its sandboxes; it is not a command\n");
  return ncp::base::kSandboxFailedExit;
}
