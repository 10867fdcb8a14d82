#include "launcher/cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "base/status.h"

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::Status;

// The cgroup2 mount point from /proc/self/mountinfo ("" when none).
std::string CgroupTwoMount() {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    return mount_point;
  }
  return "";
}

// Our group's path below the cgroup2 mount, from the "0::PATH" line of /proc/self/cgroup.
std::string OwnCgroupTwoPath() {
  std::ifstream cgroups("/proc/self/cgroup");
  std::string line;
  while (std::getline(cgroups, line)) {
    if (line.starts_with("0::")) return line.substr(3);
  }
  return "";
}

std::vector<std::string> ReadWords(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> words;
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out.empty() ? "none" : out;
}

Status WriteFileAt(int dir, const char* name, const std::string& value) {
  base::UniqueFd fd(openat(dir, name, O_WRONLY | O_CLOEXEC));
  if (!fd) return ErrnoError(std::string("open ") + name);
  if (write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return ErrnoError(std::string("write ") + value + " to " + name);
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> NeededControllers(const policy::CgroupPlan& plan) {
  std::vector<std::string> needed;
  if (plan.memory_max) needed.push_back("memory");
  if (plan.pids_max) needed.push_back("pids");
  if (plan.cpu_percent) needed.push_back("cpu");
  return needed;
}

base::StatusOr<CgroupSite> FindCgroupSite(const std::vector<std::string>& needed) {
  const std::string mount = CgroupTwoMount();
  if (mount.empty()) {
    return base::Error(base::Code::kUnavailable, "cgroup v2 is not mounted on this host");
  }
  const std::string own = OwnCgroupTwoPath();
  if (own.empty() || own.front() != '/') {
    return base::Error(base::Code::kUnavailable,
                       "this process is in no cgroup v2 group (/proc/self/cgroup has no 0:: line)");
  }
  CgroupSite site;
  site.directory = mount + (own == "/" ? "" : own);
  site.controllers = ReadWords(site.directory + "/cgroup.controllers");
  std::vector<std::string> missing;
  for (const std::string& c : needed) {
    if (std::find(site.controllers.begin(), site.controllers.end(), c) == site.controllers.end()) {
      missing.push_back(c);
    }
  }
  if (!missing.empty()) {
    return base::Error(base::Code::kUnavailable,
                       "the cgroup v2 group " + site.directory + " offers no " + Join(missing) +
                           " controller (it offers: " + Join(site.controllers) + ")");
  }
  if (access(site.directory.c_str(), W_OK) != 0) {
    return base::Error(base::Code::kUnavailable,
                       site.directory + " is not delegated to this user (not writable)");
  }
  return site;
}

base::StatusOr<SandboxCgroup> SandboxCgroup::Create(const CgroupSite& site,
                                                    const policy::CgroupPlan& plan) {
  // The controllers must be on in our group's subtree_control for a child group to have them.
  base::UniqueFd parent(open(site.directory.c_str(), O_DIRECTORY | O_CLOEXEC));
  if (!parent) return ErrnoError("open " + site.directory);
  std::string enable;
  for (const std::string& c : NeededControllers(plan)) enable += (enable.empty() ? "+" : " +") + c;
  if (Status s = WriteFileAt(parent.get(), "cgroup.subtree_control", enable); !s.ok()) {
    return base::Error(base::Code::kUnavailable, "cannot enable " + enable + " below " +
                                                     site.directory + ": " + s.ToString() +
                                                     " (a group with processes of its own cannot)");
  }
  SandboxCgroup group;
  const std::string name = "ncp-sandbox-" + std::to_string(getpid());
  if (mkdirat(parent.get(), name.c_str(), 0755) != 0) {
    return ErrnoError("create the cgroup " + site.directory + "/" + name);
  }
  group.path_ = site.directory + "/" + name;
  group.directory_fd_.reset(openat(parent.get(), name.c_str(), O_DIRECTORY | O_CLOEXEC));
  if (!group.directory_fd_) return ErrnoError("open " + group.path_);
  if (plan.memory_max) {
    NCP_RETURN_IF_ERROR(WriteFileAt(group.fd(), "memory.max", std::to_string(*plan.memory_max)));
    // Without this the group's pages could go to swap and the bound would hold only for RAM.
    (void)WriteFileAt(group.fd(), "memory.swap.max", "0");
  }
  if (plan.pids_max) {
    NCP_RETURN_IF_ERROR(WriteFileAt(group.fd(), "pids.max", std::to_string(*plan.pids_max)));
  }
  if (plan.cpu_percent) {
    const uint64_t period = 100000;
    NCP_RETURN_IF_ERROR(WriteFileAt(
        group.fd(), "cpu.max",
        std::to_string(period * *plan.cpu_percent / 100) + " " + std::to_string(period)));
  }
  return group;
}

SandboxCgroup::~SandboxCgroup() {
  if (path_.empty()) return;
  directory_fd_.reset();
  // Empty once the sandbox's last process is gone (the launcher waits for init first).
  rmdir(path_.c_str());
}

std::string DescribeCgroupSupport(const policy::Plan& plan) {
  const policy::CgroupPlan& c = plan.cgroup;
  if (!c.Any()) return "cgroup: none (no cgroup-memory, cgroup-pids or cgroup-cpu)\n";
  std::string out = "cgroup:";
  if (c.memory_max) out += " memory " + std::to_string(*c.memory_max);
  if (c.pids_max) out += " pids " + std::to_string(*c.pids_max);
  if (c.cpu_percent) out += " cpu " + std::to_string(*c.cpu_percent) + "%";
  out += c.mode == policy::CgroupMode::kRequired ? " (required)" : " (best-effort)";
  auto site = FindCgroupSite(NeededControllers(c));
  out += site.ok() ? ": available in " + site->directory
                   : ": not available here: " + site.status().message();
  return out + "\n";
}

}  // namespace ncp::launcher
