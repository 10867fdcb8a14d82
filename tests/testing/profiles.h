// Sandbox profiles for tests: the shipped ones by name, and ones a test writes.
#pragma once

#include <string>

#include "testing/testing.h"

namespace ncp::testing {

// The shipped profile NAME ("default", "network", ...) as a path into the source tree.
std::string ShippedProfile(const std::string& name);

// Writes `text` to DIR/NAME and returns the path.
std::string WriteProfile(const TempDir& dir, const std::string& name, const std::string& text);

}  // namespace ncp::testing
