// SPDX-License-Identifier: MIT
// A spdlog formatter that writes each record as one JSON object.
#include "log_format.hpp"
#include <chrono>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>
#include <stdexcept>

namespace peerchat::cli {

namespace {
class json_formatter final : public spdlog::formatter {
 public:
  void format(spdlog::details::log_msg const& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
    auto level = spdlog::level::to_string_view(msg.level);
    std::string line = "{\"ts\":" + std::to_string(ms) + ",\"level\":\"" + std::string(level.data(), level.size()) +
                       "\",\"msg\":\"";
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"': line += "\\\""; break;
        case '\\': line += "\\\\"; break;
        case '\n': line += "\\n"; break;
        case '\t': line += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", c);
            line += esc;
          } else {
            line += c;
          }
      }
    }
    line += "\"}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }
};
}  // namespace

void set_log_format(std::string_view format) {
  if (format == "json")
    spdlog::set_formatter(std::make_unique<json_formatter>());
  else if (format != "text")
    throw std::runtime_error("--log-format must be text or json");
}

}  // namespace peerchat::cli
