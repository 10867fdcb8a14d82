// A pipe whose ends close with it (close-on-exec: a child gets an end only by being handed it).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace ncp::bench {

class Pipe {
 public:
  Pipe() {
    if (pipe2(fds_, O_CLOEXEC) != 0) {
      std::perror("pipe2");
      std::exit(1);
    }
  }
  ~Pipe() {
    Close(0);
    Close(1);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  // Once the writer is a child's, so that reading ends at its exit.
  void CloseWriteEnd() { Close(1); }

 private:
  void Close(int end) {
    if (fds_[end] >= 0) close(fds_[end]);
    fds_[end] = -1;
  }
  int fds_[2];
};

}  // namespace ncp::bench
