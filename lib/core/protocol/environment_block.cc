#include "core/protocol/environment_block.h"

#include <cstring>

namespace ncp::core {

EnvironmentBlock::EnvironmentBlock(std::initializer_list<std::string_view> entries) {
  for (std::string_view entry : entries) Append(entry);
}

EnvironmentBlock::EnvironmentBlock(const std::vector<std::string>& entries) {
  size_t total = 0;
  for (const std::string& entry : entries) total += entry.size() + 1;
  bytes_.reserve(total);
  for (const std::string& entry : entries) Append(entry);
}

EnvironmentBlock EnvironmentBlock::Of(char* const* environment) {
  EnvironmentBlock block;
  size_t total = 0;
  for (char* const* entry = environment; *entry != nullptr; ++entry) total += strlen(*entry) + 1;
  // Sized by a first pass, copied by appends: another thread's setenv between the passes makes
  // the block grow (or hold fewer entries), never written past its end.
  block.bytes_.reserve(total);
  for (char* const* entry = environment; *entry != nullptr; ++entry) {
    const char* text = *entry;  // read once: another thread may swap the entry meanwhile
    block.bytes_.append(text, strlen(text) + 1);
    ++block.count_;
  }
  return block;
}

std::optional<EnvironmentBlock> EnvironmentBlock::FromBytes(std::string_view bytes,
                                                            uint32_t count) {
  if (!bytes.empty() && bytes.back() != '\0') return std::nullopt;
  size_t ends = 0;
  for (char c : bytes) ends += c == '\0' ? 1 : 0;
  if (ends != count) return std::nullopt;
  EnvironmentBlock block;
  block.bytes_.assign(bytes.data(), bytes.size());
  block.count_ = count;
  return block;
}

std::vector<std::string> EnvironmentBlock::ToVector() const {
  std::vector<std::string> entries;
  entries.reserve(count_);
  for (const char* next = bytes_.data(); next != bytes_.data() + bytes_.size();) {
    entries.emplace_back(next);
    next += entries.back().size() + 1;
  }
  return entries;
}

std::vector<char*> EnvironmentBlock::Pointers() {
  std::vector<char*> pointers;
  pointers.reserve(count_ + 1);
  for (char* next = bytes_.data(); next != bytes_.data() + bytes_.size();
       next += strlen(next) + 1) {
    pointers.push_back(next);
  }
  pointers.push_back(nullptr);
  return pointers;
}

void EnvironmentBlock::Append(std::string_view entry) {
  // An entry cannot hold '\0' (it would end it): what C's environ could not hold is cut there.
  bytes_.append(entry.substr(0, entry.find('\0')));
  bytes_ += '\0';
  ++count_;
}

}  // namespace ncp::core
