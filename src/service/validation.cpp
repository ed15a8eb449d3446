// SPDX-License-Identifier: MIT
// Field rules from the contract's "Limits".
#include "peerchat/service/validation.hpp"
#include "peerchat/core/text.hpp"
#include "peerchat/service/emoji.hpp"

namespace peerchat::service {

namespace {
error bad(std::string msg) { return make_error(errc::bad_request, std::move(msg)); }

result<std::string> trimmed_text(std::string_view s, std::size_t min, std::size_t max, char const* what) {
  if (!text::valid_utf8(s)) return bad(std::string(what) + " is not valid UTF-8");
  auto t = text::trim(s);
  auto n = text::code_points(t);
  if (n < min || n > max)
    return bad(std::string(what) + " must be " + std::to_string(min) + "–" + std::to_string(max) + " characters");
  for (unsigned char c : t)
    if (c < 0x20 || c == 0x7f) return bad(std::string(what) + " must not contain control characters");
  return std::string(t);
}
}  // namespace

result<std::string> check_username(std::string_view s) {
  if (s.size() < 3 || s.size() > 32) return bad("username must be 3–32 characters of a-z 0-9 _ . -");
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      return bad("username must be 3–32 characters of a-z 0-9 _ . -");
  // `@all` mentions every member of a group (service/mentions.hpp): nobody may be called that.
  if (s == "all") return bad("username 'all' is reserved");
  return std::string(s);
}

result<std::string> check_display_name(std::string_view s) { return trimmed_text(s, 1, 64, "display_name"); }
result<std::string> check_group_name(std::string_view s) { return trimmed_text(s, 1, 80, "name"); }
result<std::string> check_topic(std::string_view s) { return trimmed_text(s, 0, 500, "topic"); }

result<std::string> check_password(std::string_view s) {
  if (s.size() < 10 || s.size() > 1024) return bad("password must be 10–1024 bytes");
  if (!text::valid_utf8(s)) return bad("password is not valid UTF-8");
  return std::string(s);
}

result<std::string> check_body(std::string_view s, std::size_t max_chars) {
  if (!text::valid_utf8(s)) return bad("body is not valid UTF-8");
  auto t = text::trim(s);
  auto n = text::code_points(t);
  if (n < 1 || n > max_chars) return bad("body must be 1–" + std::to_string(max_chars) + " characters");
  for (unsigned char c : t)
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
      return bad("body must not contain control characters other than tab and newline");
  return std::string(t);
}

result<std::string> check_client_msg_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return bad("client_msg_id must be 1–64 printable ASCII characters");
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e) return bad("client_msg_id must be 1–64 printable ASCII characters");
  return std::string(s);
}

result<std::string> check_emoji(std::string_view s) {
  if (!text::valid_utf8(s)) return bad("emoji is not valid UTF-8");
  auto n = text::code_points(s);
  if (n < 1 || n > 16 || s.size() > 64) return bad("emoji must be 1–16 characters");
  if (!is_single_emoji(s)) return bad("a reaction must be one emoji");
  return std::string(s);
}

}  // namespace peerchat::service

namespace peerchat::service {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

result<std::string> clean_file_name(std::string_view raw) {
  std::string decoded;
  decoded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 && hex_value(raw[i + 2]) >= 0) {
      decoded += static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
      i += 2;
    } else {
      decoded += raw[i];  // a lone '%' stays what it is
    }
  }
  // Only the last path component: "C:\Users\me\scan.pdf" and "../../etc/passwd" name a file.
  auto slash = decoded.find_last_of("/\\");
  if (slash != std::string::npos) decoded.erase(0, slash + 1);
  std::string name;
  for (unsigned char c : decoded)
    if (c >= 0x20 && c != 0x7f) name += static_cast<char>(c);
  name = std::string(text::trim(name));
  if (name == "." || name == "..") name.clear();
  if (name.empty() || name.size() > 255) return bad("the file name must be 1–255 bytes (X-Filename)");
  if (!text::valid_utf8(name)) return bad("the file name is not valid UTF-8");
  return name;
}

bool is_attachment_id(std::string_view s) noexcept {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

}  // namespace peerchat::service
