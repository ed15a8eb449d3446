// SPDX-License-Identifier: MIT
// UTF-8 validation (RFC 3629) and code point counting.
#include "peerchat/core/text.hpp"

namespace peerchat::text {

bool valid_utf8(std::string_view s) noexcept {
  auto const* p = reinterpret_cast<unsigned char const*>(s.data());
  auto const* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) { ++p; continue; }
    int n;
    char32_t cp;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += n + 1;
  }
  return true;
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

namespace {
// Length of a white-space character at the start of s, or 0.
std::size_t space_at(std::string_view s) noexcept {
  if (s.empty()) return 0;
  unsigned char c = s[0];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (s.substr(0, 2) == "\xC2\xA0") return 2;                           // no-break space
  if (s.substr(0, 3) == "\xE3\x80\x80") return 3;                       // ideographic space
  if (s.size() >= 3 && c == 0xE2 && static_cast<unsigned char>(s[1]) == 0x80) {
    unsigned char d = s[2];
    if ((d >= 0x80 && d <= 0x8B) || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;  // U+2000–200B…
  }
  return 0;
}
// Length of a white-space character that ends s, or 0.
std::size_t space_before_end(std::string_view s) noexcept {
  for (std::size_t len : {std::size_t{1}, std::size_t{2}, std::size_t{3}})
    if (s.size() >= len && space_at(s.substr(s.size() - len)) == len) return len;
  return 0;
}
}  // namespace

std::string_view trim(std::string_view s) noexcept {
  while (auto n = space_at(s)) s.remove_prefix(n);
  while (auto n = space_before_end(s)) s.remove_suffix(n);
  return s;
}

}  // namespace peerchat::text
