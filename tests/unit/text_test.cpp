// SPDX-License-Identifier: MIT
// UTF-8 validation, code point counting and trimming.
#include "peerchat/core/text.hpp"
#include <gtest/gtest.h>

using namespace peerchat;

TEST(Text, AcceptsWellFormedUtf8) {
  EXPECT_TRUE(text::valid_utf8("hello"));
  EXPECT_TRUE(text::valid_utf8("Grüße 👋 日本"));
  EXPECT_TRUE(text::valid_utf8(""));
}

TEST(Text, RejectsMalformedUtf8) {
  EXPECT_FALSE(text::valid_utf8("\xff"));
  EXPECT_FALSE(text::valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(text::valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(text::valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(text::valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(Text, CountsCodePointsNotBytes) {
  EXPECT_EQ(text::code_points("abc"), 3u);
  EXPECT_EQ(text::code_points("👋👋"), 2u);
  EXPECT_EQ(text::code_points("é"), 1u);
}

TEST(Text, TrimsAsciiAndUnicodeSpace) {
  EXPECT_EQ(text::trim("  hi \n"), "hi");
  EXPECT_EQ(text::trim("\xC2\xA0hi\xE3\x80\x80"), "hi");
  EXPECT_EQ(text::trim("   "), "");
}
