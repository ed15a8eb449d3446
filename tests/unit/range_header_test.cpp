// SPDX-License-Identifier: MIT
// The Range header of an attachment download (RFC 9110 §14): which bytes, or 416, or the
// whole file.
#include "gateway/range_file.hpp"
#include <gtest/gtest.h>

namespace peerchat::gateway {
namespace {

TEST(range_header, one_range_in_each_form) {
  auto r = parse_range("bytes=0-9", 100);
  EXPECT_EQ(r.kind, byte_range::partial);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.length, 10u);
  r = parse_range("bytes=90-", 100);
  EXPECT_EQ(r.kind, byte_range::partial);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(r.length, 10u);
  r = parse_range("bytes=-5", 100);
  EXPECT_EQ(r.kind, byte_range::partial);
  EXPECT_EQ(r.first, 95u);
  EXPECT_EQ(r.length, 5u);
  r = parse_range("bytes=-500", 100);  // more than the file: all of it, as a range
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.length, 100u);
  r = parse_range("bytes=50-5000", 100);  // the end is clipped
  EXPECT_EQ(r.length, 50u);
}

TEST(range_header, past_the_end_is_unsatisfiable) {
  EXPECT_EQ(parse_range("bytes=100-", 100).kind, byte_range::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=100-200", 100).kind, byte_range::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 100).kind, byte_range::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, byte_range::unsatisfiable);
}

TEST(range_header, anything_else_is_the_whole_file) {
  for (char const* h : {"", "bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=-", "bytes=1"})
    EXPECT_EQ(parse_range(h, 100).kind, byte_range::whole) << h;
}

}  // namespace
}  // namespace peerchat::gateway
