// SPDX-License-Identifier: MIT
// UTF-8 checks and the character counting the contract's limits are written in.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace peerchat::text {

// True when s is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

// Number of Unicode code points in a valid UTF-8 string.
std::size_t code_points(std::string_view s) noexcept;

// s without leading and trailing white space (ASCII and the common Unicode spaces).
std::string_view trim(std::string_view s) noexcept;

}  // namespace peerchat::text
