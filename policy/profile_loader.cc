#include "policy/profile_loader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "base/unique_fd.h"
#include "policy/option_tokens.h"
#include "policy/owned_folder.h"

namespace ncp::policy {
namespace {

// "profile 'NAME' not found", naming the user's folder when it was left out as untrusted.
std::string NotFound(std::string_view name, const ProfileSearchPath& search_path) {
  std::string message = "profile '" + std::string(name) + "' not found";
  for (const std::string& dir : search_path.refused_dirs) {
    message += " (" + dir +
               " was not searched: it or a folder above it up to $XDG_CONFIG_HOME or $HOME is a "
               "symlink, or may be written by others than its owner)";
  }
  return message;
}

// Deep enough for any sane layering, small enough to stop runaway includes quickly.
constexpr int kMaxIncludeDepth = 16;
// Profiles are short; refuse anything that is clearly not one.
constexpr size_t kMaxProfileBytes = 1 << 20;

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

// Exists and is not a directory: a FIFO or device counts as found, so that reading it gives a
// clear "not a regular file" instead of "not found".
bool IsCandidate(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

// Reads a whole file, refusing huge or non-regular ones. Opened non-blocking so that a FIFO
// (or a file swapped for one after the lookup) is refused instead of waiting for a writer.
bool ReadSmallFile(const std::string& path, std::string* content, std::string* error) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    *error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) > kMaxProfileBytes) {
    *error = "'" + path + "' is not a regular file of at most 1 MiB";
    return false;
  }
  content->resize(st.st_size);
  size_t done = 0;
  while (done < content->size()) {
    ssize_t n = ::read(fd.get(), content->data() + done, content->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "cannot read '" + path + "'";
      return false;
    }
    done += n;
  }
  return true;
}

std::string CanonicalPath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

bool IsShippedDir(const std::string& dir, const ProfileSearchPath& search_path) {
  const std::string canonical = CanonicalPath(dir);
  for (const std::string& shipped : search_path.shipped_dirs) {
    if (!shipped.empty() && CanonicalPath(shipped) == canonical) return true;
  }
  return false;
}

bool InShippedDir(const std::string& path, const ProfileSearchPath& search_path) {
  return IsShippedDir(DirName(CanonicalPath(path)), search_path);
}

// NAME.profile, then (unless `profiles_only`) NAME, in `dir`; "" when neither is there.
std::string FindInDir(const std::string& dir, std::string_view name, bool profiles_only = false) {
  for (std::string candidate : {std::string(name) + ".profile", std::string(name)}) {
    std::string path = JoinPath(dir, candidate);
    if (IsCandidate(path)) return path;
    if (profiles_only) break;
  }
  return "";
}

class ProfileReader {
 public:
  explicit ProfileReader(const ProfileSearchPath& search_path) : search_path_(search_path) {}

  void ReadFile(const std::string& path, const SourceLoc& included_from) {
    std::string canonical = CanonicalPath(path);
    for (const std::string& open : stack_) {
      if (open == canonical) {
        std::string chain;
        for (const std::string& p : stack_) chain += p + " -> ";
        out_.diagnostics.Error(included_from, "include cycle: " + chain + canonical);
        return;
      }
    }
    if (static_cast<int>(stack_.size()) >= kMaxIncludeDepth) {
      out_.diagnostics.Error(included_from, "includes nested deeper than " +
                                                std::to_string(kMaxIncludeDepth) + " levels");
      return;
    }
    std::string text, error;
    if (!ReadSmallFile(path, &text, &error)) {
      out_.diagnostics.Error(included_from, error);
      return;
    }
    out_.files.push_back({path, InShippedDir(path, search_path_), static_cast<int>(stack_.size())});
    stack_.push_back(canonical);
    ReadText(text, path);
    stack_.pop_back();
  }

  void ReadText(std::string_view text, std::string_view file_name) {
    std::string base_dir = DirName(file_name);
    int line_no = 0;
    while (!text.empty()) {
      size_t eol = text.find('\n');
      std::string_view line = text.substr(0, eol);
      text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
      ++line_no;
      ReadLine(Trim(line), SourceLoc{std::string(file_name), line_no}, base_dir);
    }
  }

  LoadedProfile Take() { return std::move(out_); }
  Diagnostics& diagnostics() { return out_.diagnostics; }

 private:
  void ReadLine(std::string_view line, const SourceLoc& loc, const std::string& base_dir) {
    if (line.empty() || line.front() == '#') return;
    size_t key_end = line.find_first_of(" \t=");
    std::string_view key = line.substr(0, key_end);
    std::string_view rest =
        key_end == std::string_view::npos ? std::string_view() : Trim(line.substr(key_end));
    std::string token = "--" + std::string(key);
    if (!rest.empty()) {
      if (rest.front() != '=') {
        out_.diagnostics.Error(loc,
                               "expected 'key = value' or 'key', got '" + std::string(line) + "'");
        return;
      }
      token += "=" + std::string(Trim(rest.substr(1)));
    }
    if (FindOption(key) == nullptr) {  // Boost would say "--key"; a profile has no dashes
      out_.diagnostics.Error(loc, "unknown option '" + std::string(key) + "'");
      return;
    }
    std::vector<internal::ParsedToken> parsed;
    if (!internal::ParseOptionTokens({token}, /*in_profile=*/true, loc, &parsed,
                                     &out_.diagnostics)) {
      return;
    }
    for (internal::ParsedToken& p : parsed) {
      if (p.spec->id == OptionId::kInclude || p.spec->id == OptionId::kProfile) {
        Include(p.value, loc, base_dir);
      } else {
        out_.events.push_back({p.spec->id, std::move(p.value), loc, base_dir});
      }
    }
  }

  void Include(const std::string& name, const SourceLoc& loc, const std::string& base_dir) {
    ProfileLocation found = LocateProfile(name, base_dir, search_path_);
    WarnIgnored(name, found, loc);
    if (found.path.empty()) {
      out_.diagnostics.Error(loc,
                             found.refused.empty() ? NotFound(name, search_path_) : found.refused);
      return;
    }
    ReadFile(found.path, loc);
  }

 public:
  void WarnIgnored(std::string_view name, const ProfileLocation& found, const SourceLoc& loc) {
    for (const std::string& ignored : found.ignored) {
      out_.diagnostics.Warning(loc, "ignoring '" + ignored + "': '" + std::string(name) +
                                        "' is a shipped profile (" + found.path +
                                        "); give a path to use another file");
    }
  }

 private:
  const ProfileSearchPath& search_path_;
  std::vector<std::string> stack_;  // canonical paths of the files being read
  LoadedProfile out_;
};

}  // namespace

ProfileSearchPath DefaultProfileSearchPath(std::string_view system_dir) {
  ProfileSearchPath path;
  const char* config = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  auto [user_dir, depth] = UserProfileDirFor(config, home);
  // A profile found there decides how a sandbox is built, so the folder counts only if no one
  // but its owner could have put files in it (a HOME of /tmp, a group-writable folder: not).
  // A folder that does not exist yet is kept: ncp-launch keeps sandboxes from creating it.
  struct stat st;
  if (!user_dir.empty() && ::stat(user_dir.c_str(), &st) == 0 &&
      !OpenOwnedFolder(user_dir, ::geteuid(), depth, /*create=*/false)) {
    path.refused_dirs.push_back(std::move(user_dir));
  } else if (!user_dir.empty()) {
    path.dirs.push_back(std::move(user_dir));
  }
  if (!system_dir.empty()) path.shipped_dirs.emplace_back(system_dir);
  return path;
}

PolicyFolder UserProfileDirFor(const char* xdg_config_home, const char* home) {
  if (xdg_config_home != nullptr && xdg_config_home[0] == '/') {
    return {JoinPath(xdg_config_home, "ncp/profiles"), 2};
  }
  if (home != nullptr && home[0] == '/') return {JoinPath(home, ".config/ncp/profiles"), 3};
  return {};
}

ProfileLocation LocateProfile(std::string_view name_or_path, std::string_view base_dir,
                              const ProfileSearchPath& search_path) {
  ProfileLocation out;
  if (name_or_path.empty()) return out;
  if (name_or_path.find('/') != std::string_view::npos) {
    std::string path =
        name_or_path.front() == '/' ? std::string(name_or_path) : JoinPath(base_dir, name_or_path);
    if (IsCandidate(path)) {
      out.shipped = InShippedDir(path, search_path);
      out.path = std::move(path);
    }
    return out;
  }
  // The user's folder before the including profile's own: a sandbox given write access to the
  // folder of a profile must not be able to plant a file there that outranks the user's.
  const bool from_shipped = !base_dir.empty() && IsShippedDir(std::string(base_dir), search_path);
  std::vector<std::string> others;
  if (!from_shipped) others = search_path.dirs;
  if (!base_dir.empty() && !from_shipped) others.emplace_back(base_dir);
  for (const std::string& dir : search_path.shipped_dirs) {
    if (dir.empty()) continue;
    // Only NAME.profile: the folder's README (or anything else in it) is not a profile.
    if (std::string path = FindInDir(dir, name_or_path, /*profiles_only=*/true); !path.empty()) {
      out.path = std::move(path);
      out.shipped = true;
      break;
    }
  }
  bool in_user_folder = false;
  for (size_t i = 0; i < others.size(); ++i) {
    std::string path = FindInDir(others[i], name_or_path);
    if (path.empty()) continue;
    if (out.path.empty()) {
      out.path = std::move(path);
      out.shipped = InShippedDir(out.path, search_path);
      in_user_folder = !out.shipped && i < search_path.dirs.size();
      if (!out.shipped) break;  // the search dirs may list the shipped folder too
    } else if (CanonicalPath(path) != CanonicalPath(out.path)) {
      out.ignored.push_back(std::move(path));
    }
  }
  // A symlink or a second hard link in the user's folder would make a file outside it, which no
  // sandbox is kept from writing, a profile of that folder; a file others may write, anyone's.
  struct stat st;
  if (in_user_folder && ::lstat(out.path.c_str(), &st) == 0) {
    const char* why = S_ISLNK(st.st_mode)                      ? "a symlink"
                      : S_ISREG(st.st_mode) && st.st_nlink > 1 ? "a file with another hard link"
                      : S_ISREG(st.st_mode) && !OnlyWritableBy(st, ::geteuid())
                          ? "a file others may write"
                          : nullptr;
    if (why != nullptr) {
      out.refused = "'" + out.path + "' is " + why +
                    ", which the user's profile folder does not use; give the path of the file "
                    "itself";
      out.path.clear();
    }
  }
  return out;
}

std::string FindProfile(std::string_view name_or_path, std::string_view base_dir,
                        const ProfileSearchPath& search_path) {
  return LocateProfile(name_or_path, base_dir, search_path).path;
}

std::vector<std::string> ProfileNames(const ProfileSearchPath& search_path) {
  constexpr std::string_view kSuffix = ".profile";
  std::vector<std::string> names;
  std::vector<std::string> dirs = search_path.shipped_dirs;
  dirs.insert(dirs.end(), search_path.dirs.begin(), search_path.dirs.end());
  for (const std::string& dir : dirs) {
    if (dir.empty()) continue;
    std::vector<std::string> found;
    if (DIR* d = ::opendir(dir.c_str())) {
      while (const dirent* entry = ::readdir(d)) {
        const std::string_view file = entry->d_name;
        if (file.size() <= kSuffix.size() || !file.ends_with(kSuffix) || file.front() == '.') {
          continue;
        }
        found.emplace_back(file.substr(0, file.size() - kSuffix.size()));
      }
      ::closedir(d);
    }
    std::sort(found.begin(), found.end());
    for (std::string& name : found) {
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      // What --profile NAME would read: a name found first elsewhere, or refused, is left out
      // here and listed with the folder that gives it (if any).
      const ProfileLocation where = LocateProfile(name, "", search_path);
      if (where.path != JoinPath(dir, name + std::string(kSuffix))) continue;
      names.push_back(std::move(name));
    }
  }
  return names;
}

LoadedProfile LoadProfile(std::string_view name_or_path, const ProfileSearchPath& search_path) {
  ProfileReader reader(search_path);
  SourceLoc where{std::string(kCommandLine), 0};
  ProfileLocation found = LocateProfile(name_or_path, "", search_path);
  reader.WarnIgnored(name_or_path, found, where);
  if (found.path.empty()) {
    reader.diagnostics().Error(
        where, found.refused.empty() ? NotFound(name_or_path, search_path) : found.refused);
  } else {
    reader.ReadFile(found.path, where);
  }
  return reader.Take();
}

LoadedProfile ParseProfileText(std::string_view text, std::string_view file_name,
                               const ProfileSearchPath& search_path) {
  ProfileReader reader(search_path);
  reader.ReadText(text, file_name);
  return reader.Take();
}

}  // namespace ncp::policy
