// SPDX-License-Identifier: MIT
// The contract's field rules; each returns the cleaned value or a bad_request error.
#pragma once
#include "peerchat/core/error.hpp"
#include <string>
#include <string_view>

namespace peerchat::service {

result<std::string> check_username(std::string_view s);        // [a-z0-9_.-]{3,32}
result<std::string> check_display_name(std::string_view s);    // 1–64 characters, trimmed
result<std::string> check_password(std::string_view s);        // 10–1024 bytes
result<std::string> check_group_name(std::string_view s);      // 1–80 characters, trimmed
result<std::string> check_topic(std::string_view s);           // 0–500 characters, trimmed
// 1–max_chars characters after trimming; no control characters but tab and newline.
result<std::string> check_body(std::string_view s, std::size_t max_chars);
result<std::string> check_client_msg_id(std::string_view s);   // 1–64 printable ASCII
result<std::string> check_emoji(std::string_view s);           // one emoji (see emoji.hpp), ≤ 16 characters
// An upload's file name (X-Filename): percent-decoded, only its last path component, control
// characters dropped, trimmed; then 1–255 bytes of valid UTF-8.
result<std::string> clean_file_name(std::string_view raw);
// An attachment id as a client may send it: 1–64 base64url characters.
bool is_attachment_id(std::string_view s) noexcept;

}  // namespace peerchat::service
