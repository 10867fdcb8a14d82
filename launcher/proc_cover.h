// Covers the parts of a sandbox's /proc that reach past its namespaces, as runc (Docker's
// maskedPaths / readonlyPaths) and systemd-nspawn do.
#pragma once

#include "base/status.h"
#include "base/unique_fd.h"

namespace ncp::launcher {

// The sources of the masks: an empty read-only file and an empty read-only directory, set up
// once per sandbox under `staging_root` (the staging tmpfs, detached with the old root).
struct ProcMasks {
  base::UniqueFd file;  // O_PATH fds on a read-only mount
  base::UniqueFd directory;
};
base::StatusOr<ProcMasks> MakeProcMasks(int staging_root);

// On the proc mount whose root is `proc_root` (attached in our mount namespace): sys,
// sysrq-trigger, irq, bus and fs read-only; kcore, kmsg, kallsyms, keys, timer_list and their
// kin covered by an empty read-only file or directory. Entries this kernel lacks are skipped.
base::Status CoverProc(int proc_root, const ProcMasks& masks);

}  // namespace ncp::launcher
