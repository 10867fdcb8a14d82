#include "launcher/learn.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/replace_file.h"
#include "base/terminal_text.h"
#include "base/unique_fd.h"
#include "policy/learned_profile.h"
#include "policy/resolve.h"
#include "policy/seccomp_compiler.h"
#include "policy/seccomp_supervision.h"
#include "policy/syscall_groups.h"
#include "policy/syscall_names.h"

namespace ncp::launcher {
namespace {

using base::Code;
using base::Error;

// The learned file's filter replaces these typed options; the rest are copied as given.
bool SetsTheFilter(policy::OptionId id) {
  return policy::WritesSeccompRules(id) || id == policy::OptionId::kSeccompReset ||
         id == policy::OptionId::kNoSeccomp;
}

// A profile line holds no line break, and a comment in the file holds no control character.
bool FitsOnALine(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// A profile named by path: absolute, since the learned file may live elsewhere.
std::string IncludeName(const std::string& given) {
  if (given.find('/') == std::string::npos) return given;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(given, ec);
  return ec ? given : absolute.lexically_normal().string();
}

base::StatusOr<std::set<int>> AlsoNumbers(const std::vector<std::string>& names, uint32_t arch) {
  std::set<int> numbers;
  for (const std::string& item : names) {
    std::vector<std::string> expanded{item};
    if (item.starts_with("@")) {
      auto members = policy::ExpandSyscallGroup(item);
      if (!members) return Error(Code::kInvalidArgument, "--learn-also: unknown group " + item);
      expanded = *members;
    }
    for (const std::string& name : expanded) {
      const policy::SyscallLookup lookup = policy::LookUpSyscall(name, arch);
      if (lookup.kind == policy::SyscallKind::kPresent) {
        numbers.insert(lookup.nr);
      } else if (!item.starts_with("@")) {
        return Error(Code::kInvalidArgument, "--learn-also: no system call '" +
                                                 base::EscapeForTerminal(name) + "' on " +
                                                 policy::ArchName(arch));
      }
    }
  }
  return numbers;
}

// FILE may sit in a folder the sandbox could write (a writable bind): nothing planted there is
// opened or followed (base/replace_file.h).
base::Status WriteLearnedFile(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  const std::string folder = target.has_parent_path() ? target.parent_path().string() : ".";
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") {
    return Error(Code::kInvalidArgument, "--learn: '" + path + "' names no file");
  }
  base::UniqueFd dir(open(folder.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return base::ErrnoError("open the folder " + folder);
  return base::ReplaceFileAt(dir.get(), name, text, 0644, /*sync_first=*/true);
}

}  // namespace

base::StatusOr<std::unique_ptr<LearnSession>> StartLearning(const policy::ParsedCli& cli,
                                                            policy::Plan* plan) {
  if (!plan->namespaces.pid) {
    return Error(Code::kInvalidArgument,
                 "--learn needs a pid namespace: ncp-launch answers the calls from outside it "
                 "(add unshare-pid or unshare-all)");
  }
  for (const std::string& text : cli.command) {
    if (!FitsOnALine(text)) {
      return Error(Code::kInvalidArgument,
                   "--learn: the command holds a control character, which the learned file's "
                   "header cannot");
    }
  }
  for (const std::string& name : cli.profiles) {
    if (!FitsOnALine(name)) {
      return Error(Code::kInvalidArgument,
                   "--learn: a profile name holds a control character, which a profile line "
                   "cannot");
    }
  }
  for (const policy::OptionEvent& e : cli.events) {
    if (e.loc.file == policy::kCommandLine && !SetsTheFilter(e.id) && !FitsOnALine(e.value)) {
      return Error(Code::kInvalidArgument, "--learn: --" +
                                               std::string(policy::GetOption(e.id).name) +
                                               "'s value holds a control character, which a "
                                               "profile line cannot");
    }
  }
  auto session = std::make_unique<LearnSession>();
  if (plan->seccomp.enabled) {
    session->base = plan->seccomp.policy;
  } else {
    // No filter in the base: it allows everything, and the run learns everything it does.
    session->base.default_action = {policy::SeccompActionKind::kAllow, 0};
    session->base.default_loc = {"the base has no seccomp filter", 0};
  }
  const uint32_t arch = plan->seccomp.arch != 0 ? plan->seccomp.arch : policy::NativeArch();
  auto also = AlsoNumbers(cli.actions.learn_also, arch);
  if (!also.ok()) return also.status();
  session->also = std::move(*also);
  auto program = policy::CompileSeccomp(policy::LearningPolicy(), arch);
  if (!program.ok()) return program.status();
  plan->seccomp.enabled = true;
  plan->seccomp.arch = arch;
  plan->seccomp.supervised = true;
  plan->seccomp.program = std::move(*program);
  return session;
}

std::string FinishLearning(const LearnSession& session, const policy::ParsedCli& cli,
                           const policy::Plan& plan, const ChildEnd& end) {
  const std::string& file = *cli.actions.learn_file;
  const std::string shown = base::EscapeForTerminal(file);
  const bool killed = end.signaled || end.timed_out;
  if (killed && !cli.actions.learn_always) {
    return std::string("--learn: the program was ") +
           (end.timed_out ? "stopped by its time limit" : "killed by a signal") + "; " + shown +
           " not written (--learn-always writes it anyway)";
  }
  policy::LearnedProfileInput input;
  input.command = cli.command;
  for (const std::string& name : cli.profiles) input.includes.push_back(IncludeName(name));
  for (const policy::OptionEvent& e : cli.events) {
    if (e.loc.file != policy::kCommandLine || SetsTheFilter(e.id)) continue;
    const policy::OptionSpec& spec = policy::GetOption(e.id);
    input.option_lines.push_back(spec.takes_value() ? std::string(spec.name) + " = " + e.value
                                                    : std::string(spec.name));
  }
  input.base = &session.base;
  input.arch = plan.seccomp.arch;
  input.calls = &session.calls;
  for (const policy::RequiredSyscall& r : policy::EssentialSyscalls()) {
    input.required.push_back(r.name);
  }
  if (base::Status s = WriteLearnedFile(file, policy::LearnedProfileText(input)); !s.ok()) {
    return "--learn: " + base::EscapeForTerminal(s.ToString());
  }
  return "--learn: " + std::to_string(session.calls.allowed.size()) + " system calls allowed, " +
         std::to_string(session.calls.refused.size()) + " refused by the base; wrote " + shown;
}

}  // namespace ncp::launcher
