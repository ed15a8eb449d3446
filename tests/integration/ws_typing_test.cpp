// SPDX-License-Identifier: MIT
// Typing notices are throttled per group: typing in one group never hides typing in another.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_typing_test : public coaches_test {};

// The frames that arrive before the answer to a ping (the server answers in order, and a
// typing notice is handed to the reader's connection before the typist's next frame is read).
std::vector<json> frames_until_pong(ws_client& ws) {
  std::vector<json> out;
  EXPECT_TRUE(ws.send_json({{"type", "ping"}}));
  for (int i = 0; i < 1000; ++i) {
    auto f = ws.read_json(5s);
    if (!f) {
      ADD_FAILURE() << "no pong: " << ws.error();
      break;
    }
    if (f->value("type", "") == "pong") break;
    out.push_back(std::move(*f));
  }
  return out;
}

TEST_F(ws_typing_test, TypingInTwoGroupsAtOnceReachesBoth) {
  auto scouts = srv.create_group("alice", "scouts");
  srv.join("dave", scouts);
  auto alice = srv.connect("alice");
  auto bob = srv.connect("bob");    // coaches only
  auto dave = srv.connect("dave");  // scouts only

  // Alice types in coaches, then at once in scouts.
  ASSERT_TRUE(alice->send_json({{"type", "typing"}, {"group_id", coaches}}));
  ASSERT_TRUE(alice->send_json({{"type", "typing"}, {"group_id", scouts}}));
  frames_until_pong(*alice);  // both typing frames were handled

  auto typing_in = [&](std::vector<json> const& frames, std::int64_t group) {
    int n = 0;
    for (auto const& f : frames)
      if (f.value("type", "") == "typing" && f.value("group_id", std::int64_t{0}) == group &&
          f.value("user_id", std::int64_t{0}) == srv.id("alice"))
        ++n;
    return n;
  };
  auto at_dave = frames_until_pong(*dave);
  EXPECT_EQ(typing_in(at_dave, scouts), 1) << "dave never saw alice typing in scouts";
  auto at_bob = frames_until_pong(*bob);
  EXPECT_EQ(typing_in(at_bob, coaches), 1);

}

}  // namespace
}  // namespace peerchat::test
