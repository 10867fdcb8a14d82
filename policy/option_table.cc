#include "policy/option_table.h"

#include <algorithm>
#include <sstream>

namespace ncp::policy {
namespace {

namespace po = boost::program_options;
using P = OptionPlace;

constexpr OptionSpec kOptions[] = {
    {OptionId::kHelp, "help", nullptr, P::kCommandLineOnly, "print this help and exit"},
    {OptionId::kVersion, "version", nullptr, P::kCommandLineOnly, "print the version and exit"},
    {OptionId::kCheck, "check", nullptr, P::kCommandLineOnly,
     "resolve the profiles, print the plan and exit without starting anything"},
    {OptionId::kExplainSeccomp, "explain-seccomp", nullptr, P::kCommandLineOnly,
     "print what the seccomp filter does with each syscall and exit"},
    {OptionId::kVerbose, "verbose", nullptr, P::kCommandLineOnly, "print warnings and each step"},
    {OptionId::kJsonStatusFd, "json-status-fd", "FD", P::kCommandLineOnly,
     "write JSON status lines to FD: {\"child-pid\"} when the program runs, then its exit code, "
     "cause, signal and timings"},
    {OptionId::kInfoFd, "info-fd", "FD", P::kCommandLineOnly,
     "write one JSON object to FD when the program runs (its pid, the namespace ids), then "
     "close FD"},
    {OptionId::kLearn, "learn", "FILE", P::kCommandLineOnly,
     "run the program with every system call answered as the profiles would answer it, and "
     "write FILE: a profile that allows only the calls the run made (needs unshare-pid)"},
    {OptionId::kLearnAlso, "learn-also", "SYSCALLS", P::kCommandLineOnly,
     "with --learn: let the run make these calls, which the profiles refuse, and allow them in "
     "FILE (names or @groups, comma-separated)"},
    {OptionId::kLearnAlways, "learn-always", nullptr, P::kCommandLineOnly,
     "with --learn: write FILE even when the program was killed or ran out of time"},

    {OptionId::kProfile, "profile", "NAME|PATH", P::kAnywhere,
     "apply a profile (repeatable; later ones override earlier ones)"},
    {OptionId::kInclude, "include", "NAME|PATH", P::kProfileOnly,
     "apply another profile at this point of a profile file"},
    {OptionId::kStrict, "strict", nullptr, P::kAnywhere,
     "treat unknown syscall names as errors instead of warnings"},

    {OptionId::kUnshareUser, "unshare-user", nullptr, P::kAnywhere, "new user namespace"},
    {OptionId::kUnsharePid, "unshare-pid", nullptr, P::kAnywhere, "new pid namespace"},
    {OptionId::kUnshareNet, "unshare-net", nullptr, P::kAnywhere,
     "new network namespace (only loopback)"},
    {OptionId::kUnshareIpc, "unshare-ipc", nullptr, P::kAnywhere, "new IPC namespace"},
    {OptionId::kUnshareUts, "unshare-uts", nullptr, P::kAnywhere, "new UTS (hostname) namespace"},
    {OptionId::kUnshareCgroup, "unshare-cgroup", nullptr, P::kAnywhere, "new cgroup namespace"},
    {OptionId::kUnshareMount, "unshare-mount", nullptr, P::kAnywhere,
     "new mount namespace with its own root"},
    {OptionId::kUnshareAll, "unshare-all", nullptr, P::kAnywhere, "all of the namespaces above"},
    {OptionId::kShareNet, "share-net", nullptr, P::kAnywhere,
     "keep the host network (undoes unshare-net)"},

    {OptionId::kRoBind, "ro-bind", "SRC[:DEST]", P::kAnywhere, "bind SRC read-only at DEST"},
    {OptionId::kRoBindTry, "ro-bind-try", "SRC[:DEST]", P::kAnywhere,
     "like ro-bind, skipped when SRC does not exist"},
    {OptionId::kBind, "bind", "SRC[:DEST]", P::kAnywhere, "bind SRC read-write at DEST"},
    {OptionId::kBindTry, "bind-try", "SRC[:DEST]", P::kAnywhere,
     "like bind, skipped when SRC does not exist"},
    {OptionId::kTmpfs, "tmpfs", "DEST[:SIZE]", P::kAnywhere,
     "a private, empty tmpfs at DEST of SIZE bytes (K/M/G; default: tmpfs-size)"},
    {OptionId::kTmpfsSize, "tmpfs-size", "SIZE", P::kAnywhere,
     "size of every tmpfs that names none, /tmp included (K/M/G; default 64M; unlimited: half "
     "of the host's memory, the kernel's default)"},
    {OptionId::kLandlock, "landlock", "MODE", P::kAnywhere,
     "Landlock rules that mirror the mounts (read-only binds read, writable ones read-write) and "
     "keep signals and abstract sockets inside: best-effort (default; as far as the kernel's ABI "
     "goes, none without Landlock), required[:ABI] (fail unless the kernel has ABI 3, or ABI), "
     "off"},

    {OptionId::kHostname, "hostname", "NAME", P::kAnywhere, "host name (needs unshare-uts)"},
    {OptionId::kChdir, "chdir", "DIR", P::kAnywhere,
     "working directory of the program, an absolute path inside the sandbox (default /)"},
    {OptionId::kUid, "uid", "N", P::kAnywhere, "user id inside the user namespace"},
    {OptionId::kGid, "gid", "N", P::kAnywhere, "group id inside the user namespace"},
    {OptionId::kIsolationUid, "isolation-uid", nullptr, P::kCommandLineOnly,
     "map the sandbox's ids to a host uid/gid that is not the caller's (a user: "
     "newuidmap/newgidmap with the first id of the user's range; root always gets this: a free "
     "id of root's /etc/subuid and /etc/subgid range, else of 1879048192+65536, per sandbox)"},
    {OptionId::kHostRoot, "host-root", nullptr, P::kCommandLineOnly,
     "run as root: map the sandbox to host uid 0 and gid 0 instead of an id of its own (owner "
     "checks on host files then pass; command line only, never from a profile)"},
    {OptionId::kIdmapBinds, "idmap-binds", nullptr, P::kCommandLineOnly,
     "run as root: writable binds keep root's ownership (idmapped mounts): what the sandbox "
     "writes there belongs to root and root's files there are writable to it, so it can also "
     "leave setuid-root files there (command line only)"},
    {OptionId::kRlimit, "rlimit", "NAME=SOFT[:HARD]", P::kAnywhere,
     "resource limit (nofile, as, cpu, core, nproc, fsize, data, stack, memlock, ...); "
     "inf or unlimited; K/M/G suffixes"},
    {OptionId::kTimeLimit, "time-limit", "SECONDS", P::kAnywhere,
     "wall-clock limit from the program's start (fractions allowed): then the whole sandbox is "
     "killed and ncp-launch exits 124 (needs unshare-pid)"},
    {OptionId::kCgroup, "cgroup", "MODE", P::kAnywhere,
     "cgroup v2 limits: best-effort (default: applied where the host delegates a cgroup v2 "
     "subtree with the controllers) or required (the start fails otherwise)"},
    {OptionId::kCgroupMemory, "cgroup-memory", "SIZE", P::kAnywhere,
     "memory of the whole sandbox, K/M/G (cgroup v2 memory.max; no swap)"},
    {OptionId::kCgroupPids, "cgroup-pids", "N", P::kAnywhere,
     "processes and threads of the whole sandbox (cgroup v2 pids.max)"},
    {OptionId::kCgroupCpu, "cgroup-cpu", "PERCENT", P::kAnywhere,
     "CPU time of the whole sandbox in percent of one CPU (cgroup v2 cpu.max)"},

    {OptionId::kEnv, "env", "NAME=VALUE", P::kAnywhere, "set an environment variable"},
    {OptionId::kUnsetEnv, "unsetenv", "NAME", P::kAnywhere, "remove an environment variable"},
    {OptionId::kClearEnv, "clearenv", nullptr, P::kAnywhere,
     "start from an empty environment (drops earlier env settings)"},
    {OptionId::kFd, "fd", "NAME=N", P::kAnywhere, "pass fd N to the child under NAME"},

    {OptionId::kSeccompDefault, "seccomp-default", "ACTION", P::kAnywhere,
     "action for syscalls no rule names: allow, errno[:N], kill-process, kill-thread, trap, log"},
    {OptionId::kSeccompAllow, "seccomp-allow", "RULES", P::kAnywhere,
     "allow syscalls: comma list of NAME, @group or NAME(argN OP VALUE && ...)"},
    {OptionId::kSeccompErrno, "seccomp-errno", "RULES", P::kAnywhere,
     "fail syscalls with an errno: each item may end in :ERRNO (default EPERM)"},
    {OptionId::kSeccompKill, "seccomp-kill", "RULES", P::kAnywhere, "kill the process"},
    {OptionId::kSeccompTrap, "seccomp-trap", "RULES", P::kAnywhere, "send SIGSYS"},
    {OptionId::kSeccompLog, "seccomp-log", "RULES", P::kAnywhere, "allow and log"},
    {OptionId::kSeccompReset, "seccomp-reset", nullptr, P::kAnywhere,
     "forget every seccomp rule given so far (keeps the default action)"},
    {OptionId::kSeccompOci, "seccomp-oci", "FILE.json", P::kAnywhere,
     "take the default action and rules from a Docker/OCI seccomp profile"},
    {OptionId::kSeccompBeforeLoad, "seccomp-before-load", nullptr, P::kAnywhere,
     "install the filter before the child's library is loaded"},
    {OptionId::kNoSeccomp, "no-seccomp", nullptr, P::kAnywhere, "install no seccomp filter"},
};

// --help groups: each starts at its first option and runs to the next group's first option.
struct OptionGroup {
  OptionId first;
  const char* title;
};

constexpr OptionGroup kGroups[] = {
    {OptionId::kHelp, "What to do"},
    {OptionId::kProfile, "Profiles"},
    {OptionId::kUnshareUser, "Namespaces"},
    {OptionId::kRoBind, "File system"},
    {OptionId::kHostname, "Identity and limits"},
    {OptionId::kEnv, "Environment and descriptors"},
    {OptionId::kSeccompDefault, "Seccomp"},
};

void AddOption(const OptionSpec& spec, po::options_description* desc) {
  std::string name = spec.name;
  if (spec.id == OptionId::kHelp) name += ",h";
  if (spec.takes_value()) {
    desc->add_options()(name.c_str(), po::value<std::string>()->value_name(spec.value_name),
                        spec.help);
  } else {
    desc->add_options()(name.c_str(), spec.help);
  }
}

po::options_description BuildBoostOptions() {
  po::options_description all("ncp-launch options");
  const size_t count = std::size(kOptions);
  for (size_t g = 0; g < std::size(kGroups); ++g) {
    const size_t begin = static_cast<size_t>(kGroups[g].first);
    const size_t end =
        g + 1 < std::size(kGroups) ? static_cast<size_t>(kGroups[g + 1].first) : count;
    po::options_description group(kGroups[g].title);
    for (size_t i = begin; i < end; ++i) AddOption(kOptions[i], &group);
    all.add(group);
  }
  return all;
}

// What a value is, for the shell completions: its choices where the option has a fixed set (as
// resolve.cc and seccomp_syntax.cc accept them; completions offer the plain words, not the
// ":ABI" or ":N" forms), else a kind read from the value's name in the table.
std::string CompletionKind(const OptionSpec& spec) {
  switch (spec.id) {
    case OptionId::kLandlock:
      return "off|best-effort|required";
    case OptionId::kCgroup:
      return "best-effort|required";
    case OptionId::kSeccompDefault:
      return "allow|errno|kill-process|kill-thread|trap|log";
    default:
      break;
  }
  const std::string_view value = spec.value_name;
  if (value == "NAME|PATH") return "profile";
  if (value == "FILE" || value.starts_with("FILE.") || value.starts_with("SRC")) return "file";
  if (value == "DIR") return "dir";
  if (value == "FD") return "fd";
  return "value";
}

}  // namespace

bool WritesSeccompRules(OptionId id) {
  switch (id) {
    case OptionId::kSeccompDefault:
    case OptionId::kSeccompAllow:
    case OptionId::kSeccompErrno:
    case OptionId::kSeccompKill:
    case OptionId::kSeccompTrap:
    case OptionId::kSeccompLog:
    case OptionId::kSeccompOci:
      return true;
    default:
      return false;
  }
}

std::span<const OptionSpec> AllOptions() { return kOptions; }

const OptionSpec* FindOption(std::string_view name) {
  auto it = std::find_if(std::begin(kOptions), std::end(kOptions),
                         [&](const OptionSpec& spec) { return name == spec.name; });
  return it == std::end(kOptions) ? nullptr : &*it;
}

const OptionSpec& GetOption(OptionId id) {
  // The table is ordered by id, which a unit test checks.
  return kOptions[static_cast<size_t>(id)];
}

const po::options_description& BoostOptions() {
  static const po::options_description* const desc =
      new po::options_description(BuildBoostOptions());
  return *desc;
}

std::string OptionsHelp() {
  std::ostringstream out;
  out << BoostOptions();
  return out.str();
}

std::string OptionsForCompletion() {
  std::string out;
  for (const OptionSpec& spec : kOptions) {
    if (spec.place == OptionPlace::kProfileOnly) continue;
    out += "--";
    out += spec.name;
    if (spec.takes_value()) out += "=" + CompletionKind(spec);
    out += '\n';
  }
  return out;
}

}  // namespace ncp::policy
