// SPDX-License-Identifier: MIT
// The one-emoji rule for reactions: a table of the emoji ranges and a small parser of the
// sequences that join them.
#include "peerchat/service/emoji.hpp"
#include <algorithm>
#include <iterator>
#include <cstdint>
#include <vector>

namespace peerchat::service {

namespace {
struct range {
  char32_t first;
  char32_t last;
};

// Code points that are emoji by themselves (Extended_Pictographic, from emoji-data.txt,
// gathered into blocks). Digits, '#' and '*' are emoji only inside a keycap; skin-tone
// modifiers and regional indicators only in their sequences (see below).
constexpr range pictographs[] = {
    {0x00A9, 0x00A9}, {0x00AE, 0x00AE},                      // © ®
    {0x203C, 0x203C}, {0x2049, 0x2049},                      // ‼ ⁉
    {0x2122, 0x2122}, {0x2139, 0x2139},                      // ™ ℹ
    {0x2194, 0x2199}, {0x21A9, 0x21AA},                      // arrows
    {0x231A, 0x231B}, {0x2328, 0x2328}, {0x23CF, 0x23CF},    // ⌚ ⌛ ⌨ ⏏
    {0x23E9, 0x23F3}, {0x23F8, 0x23FA},                      // ⏩ … ⏳, ⏸ ⏹ ⏺
    {0x24C2, 0x24C2},                                        // Ⓜ
    {0x25AA, 0x25AB}, {0x25B6, 0x25B6}, {0x25C0, 0x25C0},    // ▪ ▫ ▶ ◀
    {0x25FB, 0x25FE},                                        // ◻ ◼ ◽ ◾
    {0x2600, 0x27BF},                                        // Miscellaneous Symbols, Dingbats (☀ ❤ ✅ ➿)
    {0x2934, 0x2935},                                        // ⤴ ⤵
    {0x2B05, 0x2B07}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},  // ⬅ ⬛ ⭐ ⭕
    {0x3030, 0x3030}, {0x303D, 0x303D}, {0x3297, 0x3297}, {0x3299, 0x3299},  // 〰 〽 ㊗ ㊙
    {0x1F000, 0x1F0FF},                                      // Mahjong, domino, playing cards (🀄 🃏)
    {0x1F10D, 0x1F10F}, {0x1F12F, 0x1F12F},                  // circled symbols
    {0x1F16C, 0x1F171}, {0x1F17E, 0x1F17F}, {0x1F18E, 0x1F18E},  // 🅰 🅱 🅾 🅿 🆎
    {0x1F191, 0x1F19A},                                      // 🆑 … 🆚
    {0x1F201, 0x1F202}, {0x1F21A, 0x1F21A}, {0x1F22F, 0x1F22F},  // 🈁 🈂 🈚 🈯
    {0x1F232, 0x1F23A}, {0x1F250, 0x1F251},                  // 🈲 … 🈺, 🉐 🉑
    {0x1F300, 0x1F3FA},                                      // Misc Symbols and Pictographs, up to
    {0x1F400, 0x1F64F},                                      //   the modifiers; Emoticons (😀 🙏)
    {0x1F680, 0x1F6FF},                                      // Transport and Map (🚀)
    {0x1F7E0, 0x1F7EB}, {0x1F7F0, 0x1F7F0},                  // 🟠 … 🟫, 🟰
    {0x1F90C, 0x1F9FF},                                      // Supplemental Symbols (🤝 🦰 🧡)
    {0x1FA70, 0x1FAFF},                                      // Symbols and Pictographs Ext-A (🫶)
};

constexpr char32_t zwj = 0x200D;
constexpr char32_t text_style = 0xFE0E;   // VS15
constexpr char32_t emoji_style = 0xFE0F;  // VS16
constexpr char32_t keycap = 0x20E3;
constexpr char32_t black_flag = 0x1F3F4;  // the base of subdivision flags (England, Scotland)
constexpr char32_t cancel_tag = 0xE007F;

bool is_pictograph(char32_t c) {
  // The table is sorted: find the last range starting at or before c.
  auto it = std::upper_bound(std::begin(pictographs), std::end(pictographs), c,
                             [](char32_t v, range const& r) { return v < r.first; });
  return it != std::begin(pictographs) && c <= std::prev(it)->last;
}
bool is_skin_tone(char32_t c) { return c >= 0x1F3FB && c <= 0x1F3FF; }
bool is_regional_indicator(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }
bool is_tag(char32_t c) { return c >= 0xE0020 && c <= 0xE007E; }
bool is_keycap_base(char32_t c) { return (c >= '0' && c <= '9') || c == '#' || c == '*'; }

// Valid UTF-8 (checked by the caller) to code points.
std::vector<char32_t> decode(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    char32_t c = extra == 0 ? b : extra == 1 ? (b & 0x1F) : extra == 2 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k <= extra && i + k < s.size(); ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(c);
    i += 1 + extra;
  }
  return out;
}

// Reads one element of a ZWJ sequence at cps[i]; advances i past it, or returns false.
bool element(std::vector<char32_t> const& cps, std::size_t& i) {
  auto at = [&](std::size_t k) -> char32_t { return k < cps.size() ? cps[k] : 0; };
  char32_t c = at(i);
  if (is_regional_indicator(c)) {  // a flag is exactly two of them
    if (!is_regional_indicator(at(i + 1))) return false;
    i += 2;
    return true;
  }
  if (is_keycap_base(c)) {  // 1️⃣ is 1 FE0F 20E3 (the FE0F is often left out)
    std::size_t k = i + 1;
    if (at(k) == emoji_style) ++k;
    if (at(k) != keycap) return false;
    i = k + 1;
    return true;
  }
  if (!is_pictograph(c)) return false;
  ++i;
  if (c == black_flag && is_tag(at(i))) {  // 🏴 + tag letters + cancel tag
    while (is_tag(at(i))) ++i;
    if (at(i) != cancel_tag) return false;
    ++i;
    return true;
  }
  if (is_skin_tone(at(i))) ++i;
  if (at(i) == emoji_style || at(i) == text_style) ++i;
  return true;
}
}  // namespace

bool is_single_emoji(std::string_view utf8) noexcept {
  try {
    auto cps = decode(utf8);
    if (cps.empty()) return false;
    std::size_t i = 0;
    if (!element(cps, i)) return false;
    while (i < cps.size()) {  // more only as "ZWJ element"
      if (cps[i] != zwj) return false;
      ++i;
      if (!element(cps, i)) return false;
    }
    return true;
  } catch (...) {  // allocation failure: refuse rather than throw
    return false;
  }
}

}  // namespace peerchat::service
