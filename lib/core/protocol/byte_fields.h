// The fields of ncp's own request formats (core/protocol/wire.h, core/protocol/program_request.h):
// u32 in host order, strings as a u32 length and bytes. One writer and one bounds-checked reader
// for both.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ncp::core {

inline void PutU32(std::string* out, uint32_t v) {
  out->append(reinterpret_cast<const char*>(&v), 4);
}

inline void PutString(std::string* out, const std::string& s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

inline void PutStrings(std::string* out, const std::vector<std::string>& list) {
  PutU32(out, static_cast<uint32_t>(list.size()));
  for (const std::string& s : list) PutString(out, s);
}

// Reads fields from `bytes` starting at `start`; every read fails (false) rather than run past
// the end.
class FieldReader {
 public:
  FieldReader(std::string_view bytes, size_t start) : bytes_(bytes), pos_(start) {}
  bool U32(uint32_t* v) {
    if (bytes_.size() - pos_ < 4) return false;
    std::memcpy(v, bytes_.data() + pos_, 4);
    pos_ += 4;
    return true;
  }
  bool String(std::string* s) {
    std::string_view view;
    if (!View(&view)) return false;
    s->assign(view.data(), view.size());
    return true;
  }
  // A string field as a view into the bytes: no copy.
  bool View(std::string_view* s) {
    uint32_t n = 0;
    if (!U32(&n) || bytes_.size() - pos_ < n) return false;
    *s = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // Each entry takes at least 4 bytes: a count larger than what is left is malformed, and is
  // refused before anything is allocated for it.
  bool Strings(std::vector<std::string>* list) {
    uint32_t n = 0;
    if (!U32(&n) || n > (bytes_.size() - pos_) / 4) return false;
    list->resize(n);
    for (std::string& s : *list) {
      if (!String(&s)) return false;
    }
    return true;
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_;
};

}  // namespace ncp::core
