#include "launcher/launch.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "base/fd_numbers.h"
#include "base/log.h"
#include "base/monotonic_clock.h"
#include "base/unique_fd.h"
#include "launcher/bind_trees.h"
#include "launcher/cgroup.h"
#include "launcher/child_setup.h"
#include "launcher/init_status.h"
#include "launcher/passed_fds.h"
#include "launcher/seccomp_supervisor.h"
#include "launcher/signals.h"
#include "launcher/userns.h"
#include "policy/seccomp_supervision.h"

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::Status;
using base::UniqueFd;

// A started child: killed and reaped on destruction unless waited for (crun's cleanup_pid).
class OwnedChild {
 public:
  explicit OwnedChild(pid_t pid) : pid_(pid) {}
  OwnedChild(const OwnedChild&) = delete;
  OwnedChild& operator=(const OwnedChild&) = delete;
  ~OwnedChild() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_t get() const { return pid_; }
  // Neither kill nor wait for it: it is ending by itself and our exit lets it be reaped.
  void Release() { pid_ = -1; }
  // Not reaped yet, so the pid is still this child's.
  base::Status Kill() {
    if (kill(pid_, SIGKILL) != 0) return ErrnoError("kill the sandbox");
    return base::Status::Ok();
  }

  base::StatusOr<int> Wait() {
    int wstatus = 0;
    while (waitpid(pid_, &wstatus, 0) < 0) {
      if (errno != EINTR) return ErrnoError("waitpid");
    }
    pid_ = -1;
    return wstatus;
  }

 private:
  pid_t pid_;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// Both ends at or above `floor`: above every number the sandbox is given, so no --fd can name
// one (the child moves them again, above its own targets, in MoveAndCloseFds).
base::StatusOr<Pipe> MakePipe(int floor) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  auto read_end = base::MoveAbove(UniqueFd(fds[0]), floor);
  if (!read_end.ok()) return read_end.status();
  auto write_end = base::MoveAbove(UniqueFd(fds[1]), floor);
  if (!write_end.ok()) return write_end.status();
  return Pipe{std::move(*read_end), std::move(*write_end)};
}

uint64_t CloneFlags(const policy::Namespaces& ns) {
  uint64_t flags = 0;
  if (ns.user) flags |= CLONE_NEWUSER;
  if (ns.pid) flags |= CLONE_NEWPID;
  if (ns.net) flags |= CLONE_NEWNET;
  if (ns.ipc) flags |= CLONE_NEWIPC;
  if (ns.uts) flags |= CLONE_NEWUTS;
  if (ns.cgroup) flags |= CLONE_NEWCGROUP;
  if (ns.mount) flags |= CLONE_NEWNS;
  return flags;
}

// fork() with namespace flags. clone3 first; the raw clone syscall where clone3 is missing or
// filtered with ENOSYS (older container runtimes). Returns 0 in the child, like fork().
// `cgroup_fd` >= 0: the child starts in that cgroup (CLONE_INTO_CGROUP), which clone cannot do.
pid_t CloneWithFlags(uint64_t flags, int cgroup_fd) {
  clone_args args{};
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  // Raw: glibc has no clone3 wrapper, and its clone() needs a stack and a function.
  long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) {
    pid = syscall(SYS_clone, static_cast<unsigned long>(flags) | SIGCHLD, nullptr, nullptr, nullptr,
                  nullptr);
  }
  return static_cast<pid_t>(pid);
}

// --verbose: the parent's steps, in the child's format ("parent <step> <time>").
class StepTimer {
 public:
  explicit StepTimer(bool verbose) : verbose_(verbose) {}
  void Start() { start_ = verbose_ ? base::MonotonicMicros() : 0; }
  void Done(const char* step) const {
    if (verbose_) {
      base::LogLine("parent %-24s %6lld us", step,
                    static_cast<long long>(base::MonotonicMicros() - start_));
    }
  }

 private:
  const bool verbose_;
  int64_t start_ = 0;
};

// Blocks until init reports how the program ended; nullopt when init ended without a report
// (it was killed): EOF once every copy of the write end is closed.
std::optional<InitStatus> ReadInitStatus(int fd);

// Waits until `fd` (the setup's error pipe, init's report) can be read or is at EOF, at most
// until `deadline_us` (monotonic; 0: no deadline), serving `supervisor` (if any) meanwhile:
// a supervised program's process may make a refused call, its exec included, and stays blocked
// in it until we answer. False: the deadline passed first.
bool AwaitReadable(int fd, int64_t deadline_us, SeccompSupervisor* supervisor) {
  std::vector<pollfd> fds;
  for (;;) {
    int timeout_ms = -1;
    if (deadline_us != 0) {
      const int64_t left = deadline_us - base::MonotonicMicros();
      if (left <= 0) return false;
      timeout_ms = static_cast<int>(std::min<int64_t>((left + 999) / 1000, 1 << 30));
    }
    fds.assign(1, pollfd{fd, POLLIN, 0});
    if (supervisor != nullptr) supervisor->AddPollFds(&fds);
    const int ready = poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) return true;  // let the read say what is wrong
    if (ready <= 0) continue;
    // First: a refused call always comes before the report of the end it causes.
    if (supervisor != nullptr) supervisor->Serve(fds.data() + 1, fds.size() - 1);
    if (fds[0].revents != 0) return true;
  }
}

// A supervised filter's socket pair: ours, and the sandbox's end, which goes to the program's
// process at spec.supervisor_target (entry form) or stays internal to the setup (program form).
struct SupervisorChannel {
  UniqueFd ours;
  UniqueFd theirs;
};

base::StatusOr<SupervisorChannel> MakeSupervisorChannel() {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return ErrnoError("socketpair for the seccomp listener");
  }
  return SupervisorChannel{UniqueFd(pair[0]), UniqueFd(pair[1])};
}

std::optional<InitStatus> ReadInitStatus(int fd) {
  InitStatus status{};
  ssize_t n;
  do {
    n = read(fd, &status, sizeof(status));
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof(status))) return std::nullopt;
  return status;
}

// The plan's cgroup limits, in a group of the sandbox's own; none when the plan has none, or
// (best-effort) when this host cannot give them.
base::StatusOr<std::optional<SandboxCgroup>> SandboxCgroupFor(const policy::Plan& plan,
                                                              bool verbose) {
  if (!plan.cgroup.Any()) return std::optional<SandboxCgroup>();
  auto site = FindCgroupSite(NeededControllers(plan.cgroup));
  base::StatusOr<SandboxCgroup> made =
      site.ok() ? SandboxCgroup::Create(*site, plan.cgroup) : site.status();
  if (made.ok()) return std::optional<SandboxCgroup>(std::move(*made));
  if (plan.cgroup.mode == policy::CgroupMode::kRequired) {
    return base::Error(base::Code::kFailedPrecondition,
                       "cgroup=required, but " + made.status().message());
  }
  if (verbose) {
    base::LogLine("parent cgroup limits not applied: %s", made.status().message().c_str());
  }
  return std::optional<SandboxCgroup>();
}

base::Status MakeFirstOomVictim() {
  UniqueFd adj(open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
  if (!adj || write(adj.get(), "1000", 4) != 4) return ErrnoError("set oom_score_adj to 1000");
  return base::Status::Ok();
}

}  // namespace

base::StatusOr<ChildEnd> Launch(const policy::Plan& plan, const LaunchSpec& requested) {
  StepTimer timer(requested.verbose);
  if (!plan.namespaces.user && (plan.uid || plan.gid)) {
    return base::Error(base::Code::kInvalidArgument, "--uid/--gid need a user namespace");
  }
  // The resolver supervises only with a pid namespace (the program is its pid 2).
  const bool supervised = plan.seccomp.enabled && plan.seccomp.supervised && plan.namespaces.pid;
  SupervisorChannel supervisor_channel;
  // The entry form's: as requested, plus the socket at the number its runtime expects.
  std::optional<LaunchSpec> with_supervisor;
  if (supervised) {
    auto channel = MakeSupervisorChannel();
    if (!channel.ok()) return channel.status();
    supervisor_channel = std::move(*channel);
    if (requested.seccomp_in_program && requested.supervisor_target >= 0) {
      with_supervisor = requested;
      with_supervisor->fds.push_back(
          {supervisor_channel.theirs.get(), requested.supervisor_target});
    }
  }
  const LaunchSpec& spec = with_supervisor ? *with_supervisor : requested;
  const int floor = FirstInternalFd(spec.fds);
  auto sync = MakePipe(floor);
  if (!sync.ok()) return sync.status();
  auto errors = MakePipe(floor);
  if (!errors.ok()) return errors.status();
  auto status = MakePipe(floor);
  if (!status.ok()) return status.status();

  if (spec.isolation && !plan.namespaces.user) {
    return base::Error(base::Code::kInvalidArgument, "isolation ids need a user namespace");
  }
  // Before clone: in the new user namespace our own ids read as the overflow id until mapped.
  const uint32_t outside_uid = geteuid();
  const uint32_t outside_gid = getegid();
  const uint32_t inside_uid = plan.uid.value_or(geteuid());
  const uint32_t inside_gid = plan.gid.value_or(getegid());
  // Only isolation ids (root's lease, --isolation-uid) are ids the child may not map itself.
  const bool parent_writes_maps = !plan.namespaces.user || spec.isolation.has_value();
  // Root's leased id: we open the bind sources (the child, as that id, may not be able to
  // reach them), idmapped for writable binds with --idmap-binds (bind_trees.h).
  std::vector<UniqueFd> bind_trees;
  if (spec.isolation && !spec.isolation->via_helpers && plan.namespaces.mount) {
    timer.Start();
    std::vector<std::string> notes;
    auto trees = OpenBindTrees(plan, *spec.isolation, spec.idmap_writable_binds, &notes);
    if (!trees.ok()) return trees.status();
    bind_trees = std::move(*trees);
    if (spec.verbose) {
      for (const std::string& note : notes) base::LogLine("%s", note.c_str());
    }
    timer.Done("open-bind-trees");
  }
  const uint64_t flags = CloneFlags(plan.namespaces);
  auto cgroup = SandboxCgroupFor(plan, spec.verbose);
  if (!cgroup.ok()) return cgroup.status();
  // The sandbox is the OOM killer's first choice, before the caller or anything else on the
  // host (raising one's own score needs no privilege; every process of the sandbox inherits it).
  NCP_RETURN_IF_ERROR(MakeFirstOomVictim());
  timer.Start();
  // Until init can take them (signals.h): the child starts with these blocked.
  BlockForwardedSignals();
  const int64_t clone_started_us = base::MonotonicMicros();
  const pid_t pid = CloneWithFlags(flags, *cgroup ? (*cgroup)->fd() : -1);
  if (pid < 0) {
    const int err = errno;
    RestoreCallerSignalMask();
    if ((flags & CLONE_NEWUSER) != 0 && (err == EPERM || err == ENOSPC || err == EINVAL)) {
      return base::Error(base::Code::kUnavailable, UserNamespaceRefusedReason(err));
    }
    return ErrnoError("clone with namespace flags", err);
  }
  if (pid == 0) {
    // The child must not hold the parent's ends: EOF and hang-up are how each side learns the
    // other is gone.
    sync->write.reset();
    errors->read.reset();
    status->read.reset();
    ChildContext context;
    context.plan = &plan;
    context.spec = &spec;
    context.inside_uid = inside_uid;
    context.inside_gid = inside_gid;
    context.outside_uid = outside_uid;
    context.outside_gid = outside_gid;
    context.parent_writes_maps = parent_writes_maps;
    context.host_id_lock_fd = spec.host_id_lock_fd;
    for (const UniqueFd& tree : bind_trees) context.bind_trees.push_back(tree.get());
    context.sync_fd = sync->read.get();
    context.error_fd = errors->write.get();
    context.status_fd = status->write.get();
    if (supervised && !spec.seccomp_in_program) {
      context.supervisor_fd = supervisor_channel.theirs.get();
    }
    SetUpAndExec(context);
  }

  OwnedChild child(pid);
  timer.Done("clone");
  supervisor_channel.theirs.reset();
  std::optional<SeccompSupervisor> supervisor;
  if (supervised) supervisor.emplace(std::move(supervisor_channel.ours), pid, spec.learn);
  if (spec.on_cloned) spec.on_cloned(pid);
  bind_trees.clear();  // the child has its own copies
  ForwardSignalsTo(pid);
  RestoreCallerSignalMask();  // what arrived meanwhile goes to the child now, and waits there
  sync->read.reset();
  errors->write.reset();
  status->write.reset();
  if (plan.namespaces.user && parent_writes_maps) {
    // On failure the child reads EOF, fails its first step, and ~OwnedChild reaps it.
    timer.Start();
    NCP_RETURN_IF_ERROR(WriteIdMaps(pid, inside_uid, inside_gid, spec.isolation));
    timer.Done("write-id-maps");
  }
  // Defence in depth for CVE-2019-5736: without a pid namespace, /proc/<our pid>/exe leads from
  // the sandbox back to the launcher's binary. The kernel already refuses that to a process in a
  // child user namespace (cap_ptrace_access_check); non-dumpable, it would also need
  // CAP_SYS_PTRACE over our namespace. Not earlier: an unprivileged parent cannot open the
  // child's uid_map while non-dumpable (and the child's own mm, copied at clone, keeps the
  // dumpable flag it needs to write its own maps).
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return ErrnoError("PR_SET_DUMPABLE");
  if (parent_writes_maps && write(sync->write.get(), "g", 1) != 1) {
    return ErrnoError("release the child");
  }

  timer.Start();
  ChildEnd end;
  AwaitReadable(errors->read.get(), 0, supervisor ? &*supervisor : nullptr);
  end.setup_error = ReadSetupError(errors->read.get());
  timer.Done("child-setup-until-exec");
  end.setup_us = base::MonotonicMicros() - clone_started_us;
  if (!end.setup_error && spec.on_sandbox_ready) {
    // On failure ~OwnedChild kills init, which takes the whole pid namespace with it.
    NCP_RETURN_IF_ERROR(spec.on_sandbox_ready());
  }
  // After a warm sandbox's wait in the pool: its request arrived in on_sandbox_ready, and its
  // time limit counts from there.
  const int64_t program_started_us = base::MonotonicMicros();
  if (!end.setup_error && spec.on_started) spec.on_started(pid);
  const int64_t deadline_us =
      plan.time_limit_ms && !end.setup_error
          ? program_started_us + static_cast<int64_t>(*plan.time_limit_ms) * 1000
          : 0;
  if (plan.namespaces.pid && !end.setup_error &&
      !AwaitReadable(status->read.get(), deadline_us, supervisor ? &*supervisor : nullptr)) {
    // Out of time: init's death takes everything in its pid namespace with it (the resolver
    // refuses a time limit without one).
    NCP_RETURN_IF_ERROR(child.Kill());
    auto wstatus = child.Wait();
    if (!wstatus.ok()) return wstatus.status();
    end.timed_out = true;
    end.signaled = true;
    end.value = SIGKILL;
    end.run_us = base::MonotonicMicros() - program_started_us;
    return end;
  }
  // With a pid namespace, the program's end is in init's report, written just before init
  // exits. Return on the report, as bubblewrap does, instead of waiting for init's exit: that
  // exit tears down the namespaces (unmounting the new root waits for an RCU grace period), and
  // everything left inside is killed by it whether or not we wait.
  if (plan.namespaces.pid && !end.setup_error) {
    if (std::optional<InitStatus> report = ReadInitStatus(status->read.get())) {
      end.signaled = report->signaled != 0;
      end.value = report->value;
      // Killed by us for the call (init saw our SIGKILL): to everyone else, the filter's kill.
      if (supervisor && supervisor->program_call() && end.signaled && end.value == SIGKILL) {
        end.value = SIGSYS;
        end.seccomp_call = supervisor->program_call();
      }
      end.run_us = base::MonotonicMicros() - program_started_us;
      if (*cgroup) {
        // The group can only be removed once init, and with it the sandbox, is gone; init
        // waits for this read end to close first.
        status->read.reset();
        (void)child.Wait();
        return end;
      }
      child.Release();
      // Init waits for this read end to close before it exits (init.cc): left open, it closes
      // with this process, which exits next, so the namespaces' teardown comes after our exit.
      (void)status->read.release();
      return end;
    }
  }
  // After a failed setup, init (if the program got that far) waits for this read end to close
  // before it exits (init.cc): closed now, so that the failure is not held up for seconds.
  status->read.reset();
  auto wstatus = child.Wait();
  if (!wstatus.ok()) return wstatus.status();
  end.signaled = WIFSIGNALED(*wstatus);
  end.value = end.signaled ? WTERMSIG(*wstatus) : WEXITSTATUS(*wstatus);
  if (!end.setup_error) end.run_us = base::MonotonicMicros() - program_started_us;
  return end;
}

}  // namespace ncp::launcher
