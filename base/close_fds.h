// Closing every fd of this process but a chosen few: what a process does right before it
// runs code that must see only the fds it was given (ncp-launch's placements, a warm
// sandbox's forwarded request).
#pragma once

#include <vector>

#include "base/status.h"

namespace ncp::base {

// Closes every open fd except those in `keep` (any order; repeats and negative values are
// ignored), with one close_range per gap between kept fds.
Status CloseAllFdsExcept(std::vector<int> keep);

}  // namespace ncp::base
