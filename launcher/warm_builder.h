// A shape's builder: `ncp-launch --request-fd=3 --control-fd=N --warm --builder`. It reads the
// template request, resolves the profiles and checks everything a warm ncp-launch would, once;
// then, for each WarmBuildRequest the fork server sends (core/protocol/launch_report.h), it
// forks a warm ncp-launch for one sandbox, which goes on from that point exactly as a warm
// ncp-launch exec'd for it would (its own control socket, host-id lease, channels, sandbox).
//
// Why: a sandbox built this way skips the launcher's exec, its dynamic loading and the
// profile's resolution, which are most of a cold build, so back-to-back starts find a sandbox
// ready sooner. Nothing but that resolved, read-only starting state is shared: each sandbox is
// a process of its own, built afresh, and serves one child (DESIGN.md: warm, never shared).
//
// The builder is named `ncp-builder` (its comm) while it waits. Each sandbox's ncp-launch is
// forked with CLONE_PARENT: it is the fork server's child, which
// reaps it and reads its exit status as it would an exec'd launcher's.
#pragma once

#include <string>
#include <vector>

namespace ncp::launcher {

// Serves build requests on `builder_fd` until the fork server closes it or lets the builder go;
// then exits the builder (status 0). Returns only in a forked sandbox launcher: its control
// socket's fd (close-on-exec), with the builder's socket closed and a parent-death signal set.
// `pinned`: files a sandbox of this builder uses as they were when it started (ncp-entry).
// Before each fork the builder checks that they, and its own executable, are still the files
// at their paths; when one was replaced (a package upgrade), it exits instead: the fork server
// then forgets the shape, and its next start runs the new files.
int ServeBuildRequests(int builder_fd, const std::vector<std::string>& pinned);

}  // namespace ncp::launcher
