// Colon-separated directory lists ($NCP_LIBRARY_PATH, $LD_LIBRARY_PATH, $PATH).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ncp::base {

// The entries of `list` in order, empty entries left out: "", ":" and "a::b:" give {}, {} and
// {"a", "b"}.
//
// Why empty entries are skipped: ld.so and execvp read an empty entry (a leading, doubled or
// trailing colon, usually left by `X=/dir:$X` with X unset) as the current directory, which makes
// code load from wherever the process happens to stand; the XDG Base Directory spec has every
// entry absolute and says to ignore any that is not. ncp searches only what was named, so an
// empty entry means nothing here: a library or program from the working directory is named with
// a path ("./x"), never found by accident.
std::vector<std::string> SplitPathList(std::string_view list);

}  // namespace ncp::base
