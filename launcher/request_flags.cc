#include "launcher/request_flags.h"

#include <charconv>
#include <string_view>

namespace ncp::launcher {
namespace {

std::optional<int> ParseFdNumber(std::string_view text) {
  int fd = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fd);
  if (ec != std::errc() || end != text.data() + text.size() || fd < 0) return std::nullopt;
  return fd;
}

}  // namespace

RequestFlags TakeRequestFlags(int argc, char** argv) {
  RequestFlags out;
  constexpr std::string_view kFlag = "--request-fd";
  int rest = 1;
  if (argc > 1) {
    const std::string_view first = argv[1];
    std::optional<std::string_view> value;
    if (first.starts_with(kFlag) && first.size() > kFlag.size() && first[kFlag.size()] == '=') {
      value = first.substr(kFlag.size() + 1);
      rest = 2;
    } else if (first == kFlag) {
      value = argc > 2 ? std::string_view(argv[2]) : std::string_view();
      rest = argc > 2 ? 3 : 2;
    }
    if (value) {
      const std::optional<int> fd = ParseFdNumber(*value);
      out.bad_request_fd = !fd;
      out.request_fd = fd.value_or(-1);
      constexpr std::string_view kControl = "--control-fd=";
      for (; rest < argc; ++rest) {
        const std::string_view arg = argv[rest];
        if (arg.starts_with(kControl)) {
          out.control_fd = ParseFdNumber(arg.substr(kControl.size()));
          out.bad_control_fd = !out.control_fd;
        } else if (arg == "--warm") {
          out.warm = true;
        } else if (arg == "--builder") {
          out.builder = true;
        } else if (arg == "--report-entry") {
          out.report_entry = true;
        } else {
          break;
        }
      }
    }
  }
  out.argv.push_back(argv[0]);
  for (int i = rest; i < argc; ++i) out.argv.push_back(argv[i]);
  return out;
}

}  // namespace ncp::launcher
