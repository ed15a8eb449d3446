// SPDX-License-Identifier: MIT
// What a reaction may be: one emoji, as a person picks it from a phone's emoji keyboard.
#pragma once
#include <string_view>

namespace peerchat::service {

// True when utf8 is exactly one emoji grapheme cluster (Unicode TS #51, simplified):
//   a pictograph from the emoji ranges, optionally with a skin-tone modifier and/or a
//   variation selector (❤️, 👍🏽), several of those joined by ZWJ (👨‍👩‍👧, 🏃🏽‍♀️),
//   a flag (two regional indicators 🇫🇷, or a tag sequence 🏴󠁧󠁢󠁥󠁮󠁧󠁿), or a keycap (1️⃣, #️⃣).
// Anything else — words, two emoji side by side, a lone modifier — is refused. utf8 must
// be valid UTF-8 (check it first).
bool is_single_emoji(std::string_view utf8) noexcept;

}  // namespace peerchat::service
