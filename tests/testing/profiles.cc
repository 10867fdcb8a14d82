#include "testing/profiles.h"

#include <fstream>

namespace ncp::testing {

std::string ShippedProfile(const std::string& name) {
  return std::string(NCP_SOURCE_PROFILES_DIR) + "/" + name + ".profile";
}

std::string WriteProfile(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace ncp::testing
