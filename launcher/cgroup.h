// cgroup v2 limits for one sandbox as a whole (memory, processes, CPU): what no per-process
// rlimit can bound. ncp-launch has no privileges, so it uses the cgroup v2 group it runs in
// when the host delegated it (root on a unified hierarchy; a systemd user session's service
// with Delegate=yes): a group of its own below it for each sandbox, the limits written there,
// the sandbox cloned straight into it (CLONE_INTO_CGROUP), the group removed after the
// sandbox's last process. Where that is not possible, the reason names what is missing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "policy/plan.h"

namespace ncp::launcher {

// Where this process's cgroup v2 group is, and what it offers.
struct CgroupSite {
  std::string directory;                 // /sys/fs/cgroup[/unified]/<own path>
  std::vector<std::string> controllers;  // its cgroup.controllers
};

// The controllers the plan's limits need: "memory", "pids", "cpu".
std::vector<std::string> NeededControllers(const policy::CgroupPlan& plan);

// Our own group, if the host has cgroup v2 and it has every needed controller; else the reason,
// naming what is missing ("cgroup v2 is not mounted", "... controllers memory, pids are not
// available in DIR (it offers: hugetlb)").
base::StatusOr<CgroupSite> FindCgroupSite(const std::vector<std::string>& needed);

// One sandbox's group: created with the plan's limits; the sandbox is cloned into fd(); the
// group is removed on destruction (once its processes are gone).
class SandboxCgroup {
 public:
  static base::StatusOr<SandboxCgroup> Create(const CgroupSite& site,
                                              const policy::CgroupPlan& plan);
  // The moved-from one owns nothing and removes nothing.
  SandboxCgroup(SandboxCgroup&& other) noexcept
      : path_(std::exchange(other.path_, {})), directory_fd_(std::move(other.directory_fd_)) {}
  SandboxCgroup& operator=(SandboxCgroup&&) = delete;
  ~SandboxCgroup();
  int fd() const { return directory_fd_.get(); }

 private:
  SandboxCgroup() = default;
  std::string path_;
  base::UniqueFd directory_fd_;
};

// --check's line: what the plan asks and whether this host can give it.
std::string DescribeCgroupSupport(const policy::Plan& plan);

}  // namespace ncp::launcher
