// SPDX-License-Identifier: MIT
// The one-emoji rule for reactions (issue 10, item 11), on real emoji keyboard output.
#include "peerchat/service/emoji.hpp"
#include <gtest/gtest.h>
#include <string>

namespace peerchat::service {
namespace {

TEST(Emoji, AcceptsOneEmojiAsAPhoneKeyboardTypesIt) {
  for (std::string e : {
           "👍",                // a pictograph
           "❤️",                // U+2764 + VS16
           "❤",                 // the same without its variation selector
           "👍🏽",               // a skin-tone modifier
           "👨‍👩‍👧",              // a ZWJ family
           "👩🏽‍🤝‍👩🏿",             // ZWJ with modifiers
           "🏃🏽‍♀️",              // modifier, ZWJ, a sign with VS16
           "🏳️‍🌈",               // VS16 before the ZWJ
           "🇫🇷",               // a flag: two regional indicators
           "🏴󠁧󠁢󠁥󠁮󠁧󠁿",               // a subdivision flag: tag sequence
           "1️⃣", "#️⃣", "*️⃣",     // keycaps
           "🎉", "😂", "👀", "🙏", "🫶", "🧡", "🀄", "©️", "⭐", "☕", "🅰️",
       })
    EXPECT_TRUE(is_single_emoji(e)) << e;
}

TEST(Emoji, RefusesEverythingElse) {
  for (std::string e : {
           "",                  // nothing
           "LGTM!!", "constructor", "__proto__", "a", "1", "#",  // text
           "👍👍",              // two emoji
           "👍 ", " 👍",         // with a space
           "🇫", "🇫🇷🇩",         // half a flag, a flag and a half
           "🏽",                // a modifier alone
           "\u200D", "👍\u200D", "\u200D👍",  // a dangling ZWJ
           "️",                 // a variation selector alone
           "1\u20E3x",           // a keycap with something after it
           "👍a", "a👍",        // emoji and text
           "é", "中",           // letters of other scripts
       })
    EXPECT_FALSE(is_single_emoji(e)) << e;
}

}  // namespace
}  // namespace peerchat::service
