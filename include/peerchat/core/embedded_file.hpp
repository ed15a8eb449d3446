// SPDX-License-Identifier: MIT
// A file compiled into the binary (a migration or a web client asset).
#pragma once
#include <span>
#include <string_view>

namespace peerchat {
struct embedded_file {
  std::string_view path;
  std::string_view content;
};
}  // namespace peerchat
