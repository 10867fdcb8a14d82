// An environment as one block: its "NAME=value" entries, each ended by '\0', in order, the way
// a start request carries the caller's (wire.h). Built from environ, sent and adopted without
// an allocation per entry: with cold caches (a start now and then) the allocations and copies of
// some 40 separate strings cost a start about as much as its whole decode.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ncp::core {

class EnvironmentBlock {
 public:
  EnvironmentBlock() = default;
  EnvironmentBlock(std::initializer_list<std::string_view> entries);
  explicit EnvironmentBlock(const std::vector<std::string>& entries);

  // `environment`'s entries (environ's form: a null-terminated array).
  static EnvironmentBlock Of(char* const* environment);
  // A block as it travels: nullopt unless it holds exactly `count` entries, each ended by '\0'.
  static std::optional<EnvironmentBlock> FromBytes(std::string_view bytes, uint32_t count);

  uint32_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The entries, each followed by '\0'.
  const std::string& bytes() const { return bytes_; }
  std::vector<std::string> ToVector() const;
  // Pointers to the entries in bytes(), then a null: an environ for as long as the block lives
  // unchanged.
  std::vector<char*> Pointers();

  bool operator==(const EnvironmentBlock&) const = default;

 private:
  void Append(std::string_view entry);

  std::string bytes_;
  uint32_t count_ = 0;
};

}  // namespace ncp::core
