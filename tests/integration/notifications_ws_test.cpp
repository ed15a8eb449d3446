// SPDX-License-Identifier: MIT
// The WebSocket side of notifications: the focus frame, and read markers told to members.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class notifications_ws_test : public coaches_test {};

std::vector<json> of_type(std::vector<json> const& frames, std::string const& type) {
  std::vector<json> out;
  for (auto const& f : frames)
    if (f.value("type", "") == type) out.push_back(f);
  return out;
}

TEST_F(notifications_ws_test, FocusOnOwnGroupOrNullIsAcceptedSilently) {
  auto bob = srv.connect("bob");
  ASSERT_TRUE(bob->send_json({{"type", "focus"}, {"group_id", coaches}}));
  ASSERT_TRUE(bob->send_json({{"type", "focus"}, {"group_id", nullptr}}));
  auto before = frames_before_pong(*bob);
  EXPECT_TRUE(of_type(before, "error").empty()) << json(before);
}

TEST_F(notifications_ws_test, FocusOnAnotherGroupOrMalformedIsRefused) {
  auto scouts = srv.create_group("alice", "scouts");
  auto bob = srv.connect("bob");
  ASSERT_TRUE(bob->send_json({{"type", "focus"}, {"group_id", scouts}, {"ref", "f1"}}));
  ASSERT_TRUE(bob->send_json({{"type", "focus"}, {"ref", "f2"}}));
  ASSERT_TRUE(bob->send_json({{"type", "focus"}, {"group_id", "coaches"}, {"ref", "f3"}}));
  auto errors = of_type(frames_before_pong(*bob), "error");
  ASSERT_EQ(errors.size(), 3u) << json(errors);
  EXPECT_EQ(errors[0]["code"], "not_found");
  EXPECT_EQ(errors[0]["ref"], "f1");
  EXPECT_EQ(errors[1]["code"], "bad_request");
  EXPECT_EQ(errors[2]["code"], "bad_request");
}

TEST_F(notifications_ws_test, AReadMarkerReachesTheOtherMembersWithTheReader) {
  auto e = srv.send("alice", coaches, "hello");
  auto seq = e["seq"].get<std::int64_t>();
  auto bob_phone = srv.connect("bob");
  auto bob_laptop = srv.connect("bob");
  auto carol = srv.connect("carol");
  auto dave = srv.connect("dave");  // in no group
  ASSERT_TRUE(bob_phone->send_json({{"type", "read"}, {"group_id", coaches}, {"seq", seq}}));

  auto at_carol = carol->read_until([](json const& f) { return f.value("type", "") == "read"; }, 5s);
  ASSERT_TRUE(at_carol);
  EXPECT_EQ(*at_carol, (json{{"type", "read"}, {"group_id", coaches}, {"user_id", srv.id("bob")}, {"seq", seq}}));
  auto at_laptop = bob_laptop->read_until([](json const& f) { return f.value("type", "") == "read"; }, 5s);
  ASSERT_TRUE(at_laptop);
  EXPECT_EQ(*at_laptop, (json{{"type", "read"}, {"group_id", coaches}, {"seq", seq}})) << "the echo to oneself is unchanged";
  EXPECT_TRUE(of_type(frames_before_pong(*dave), "read").empty()) << "a non-member hears nothing";

  // GET /groups/{id} shows how far each member has read.
  auto g = srv.group("carol", coaches);
  for (auto const& m : g["members"])
    EXPECT_EQ(m["last_read_seq"], m["user_id"] == srv.id("bob") ? seq : 0) << m;
}

TEST_F(notifications_ws_test, AReadMarkerOverHttpReachesMembersToo) {
  auto e = srv.send("alice", coaches, "hello");
  auto carol = srv.connect("carol");
  ASSERT_STATUS(srv.http().post(test_server::api("/groups/" + std::to_string(coaches) + "/read"), {{"seq", e["seq"]}},
                                srv.token("bob")), 204);
  auto at_carol = carol->read_until([](json const& f) { return f.value("type", "") == "read"; }, 5s);
  ASSERT_TRUE(at_carol);
  EXPECT_EQ((*at_carol)["user_id"], srv.id("bob"));
}

}  // namespace
}  // namespace peerchat::test
