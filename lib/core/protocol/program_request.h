// The request of a program start (NCP_StartChildProgram): what the fork server's child needs to
// become the program. It travels in a memfd, like the library children's launch request, but
// is its own small format: only the fork server reads it, and ncp-launch never sees it (an
// isolated program reaches the launcher as its program form's command line).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace ncp::core {

struct ProgramRequest {
  // What the child execs: the program itself, or (isolated) ncp-launch with the program after
  // "--" in `argv`.
  std::string exec_path;
  std::vector<std::string> argv;
  std::vector<std::string> environment;
  // The directory the child enters before exec (never empty: the caller's at the call when
  // the configs set none).
  std::string working_directory;
  uint32_t umask = 022;
  // The number each placed fd gets, in the order the fds travel (after the request memfd).
  std::vector<int32_t> child_fds;
};

// How far the fork server's child got when it could not become the program; sent on the exec
// report pipe with the errno, and back to the library in a kFailed reply's `flags`.
enum class ProgramStage : uint32_t {
  kReadRequest = 1,
  kPlaceFds = 2,
  kEnterDirectory = 3,
  kExec = 4,
};

// The status a failed program start returns: kInvalidArgument when the program or directory
// is at fault (no such file, not executable, bad format, too many arguments...), kInternal
// for what the system refused (memory, fds), with a message that names the stage.
base::Status ProgramStartFailure(uint32_t stage, int err);

std::string EncodeProgramRequest(const ProgramRequest& request);
// Rejects anything malformed: wrong magic, lengths past the end, trailing bytes.
base::StatusOr<ProgramRequest> DecodeProgramRequest(const std::string& bytes);
// Reads the whole request from `fd` (a memfd; from offset 0) and decodes it.
base::StatusOr<ProgramRequest> ReadProgramRequest(int fd);

}  // namespace ncp::core
