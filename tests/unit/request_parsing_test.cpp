// SPDX-License-Identifier: MIT
// What the API reads from a request before any service runs (src/gateway/request_parsing):
// examples of each rule; tests/fuzz/http_*_fuzzer.cpp throw everything else at them.
#include "gateway/request_parsing.hpp"
#include <gtest/gtest.h>

namespace peerchat::gateway {
namespace {

TEST(request_parsing, TheBearerHeaderWinsOverTheCookie) {
  EXPECT_EQ(token_of("Bearer abc", "peerchat_session=xyz"), "abc");
  EXPECT_EQ(token_of("Basic abc", "theme=dark; peerchat_session=xyz; other=1"), "xyz");
  EXPECT_EQ(token_of("Bearer ", "peerchat_session=xyz"), "xyz");  // an empty Bearer is no token
  EXPECT_EQ(token_of("", "not_peerchat_session=xyz"), "");
  EXPECT_EQ(token_of("", ";;  peerchat_session="), "");
}

TEST(request_parsing, QueryValuesAreDecodedAndTheFirstOfARepeatedKeyWins) {
  auto q = parse_query("q=train+notes%21&limit=20&limit=99&flag&bad=%zz%4");
  EXPECT_EQ(q.at("q"), "train notes!");
  EXPECT_EQ(q.at("limit"), "20");
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.at("bad"), "%zz%4");  // a malformed escape stays as it is
}

TEST(request_parsing, RoutesMatchWholeSegmentsAndDecodeParameters) {
  std::vector<std::string> params;
  EXPECT_TRUE(matches("/groups/{}/messages/{}/reactions/{}", split_path("/groups/3/messages/7/reactions/%F0%9F%91%8D"), params));
  EXPECT_EQ(params, (std::vector<std::string>{"3", "7", "\xF0\x9F\x91\x8D"}));
  EXPECT_FALSE(matches("/groups/{}", split_path("/groups/"), params));  // an empty parameter
  EXPECT_FALSE(matches("/groups/{}", split_path("/groups/3/messages"), params));
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_FALSE(parse_int("42abc"));
  EXPECT_FALSE(parse_int(""));
}

}  // namespace
}  // namespace peerchat::gateway
