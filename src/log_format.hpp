// SPDX-License-Identifier: MIT
// Log output: text for people, or one JSON object per line for log collectors.
#pragma once
#include <string_view>

namespace peerchat::cli {

// "text" (default) or "json"; throws std::runtime_error on anything else.
void set_log_format(std::string_view format);

}  // namespace peerchat::cli
