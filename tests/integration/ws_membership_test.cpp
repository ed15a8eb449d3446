// SPDX-License-Identifier: MIT
// Membership and sessions cut delivery at once: a removed or departed member's sockets stop
// receiving the group, logging out closes that session's sockets with 4001, and a new
// member starts receiving without reconnecting. Also: the cookie authenticates the socket.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_membership_test : public coaches_test {
 protected:
  std::string member(std::string const& username) {
    return test_server::api("/groups/" + std::to_string(coaches) + "/members/" + std::to_string(srv.id(username)));
  }

  // No event of `group` with seq ≥ from among the frames that arrive before a ping's answer.
  static void expect_no_events_from(ws_client& ws, std::int64_t group, std::int64_t from) {
    for (auto const& f : frames_before_pong(ws)) {
      bool leaked = f.value("type", "") == "event" && f.value("group_id", std::int64_t{0}) == group &&
                    f.value("seq", std::int64_t{0}) >= from;
      EXPECT_FALSE(leaked) << "delivered after removal: " << f.dump();
      EXPECT_EQ(f.dump().find("after the door closed"), std::string::npos) << f.dump();
    }
  }
};

TEST_F(ws_membership_test, ARemovedMemberStopsReceivingAtOnce) {
  auto bob = srv.connect("bob");
  auto carol = srv.connect("carol");
  auto carol2 = srv.connect("carol");
  ASSERT_TRUE(is_2xx(srv.http().del(member("carol"), srv.token("alice")).status));
  auto after = srv.send("alice", coaches, "after the door closed")["seq"].get<std::int64_t>();
  // Bob gets it; by then carol's sockets would have had it too, had she still been subscribed.
  std::vector<json> bobs;
  for (int i = 0; i < 10 && (bobs.empty() || bobs.back()["seq"].get<std::int64_t>() < after); ++i) {
    auto more = read_events(*bob, coaches, 1, 5s);
    if (more.empty()) break;
    bobs.push_back(more[0]);
  }
  ASSERT_FALSE(bobs.empty());
  EXPECT_EQ(bobs.back()["seq"].get<std::int64_t>(), after);
  expect_no_events_from(*carol, coaches, after);
  expect_no_events_from(*carol2, coaches, after);
  // Her sockets stay open for her other groups; her sends to coaches are refused.
  ASSERT_TRUE(carol->send_json(send_frame(coaches, "ghost", "am I still here?")));
  auto err = carol->read_until(frame_type("error"), 3s);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->value("code", ""), "not_found");
}

TEST_F(ws_membership_test, LeavingStopsDeliveryAtOnce) {
  auto bob = srv.connect("bob");
  auto carol = srv.connect("carol");
  ASSERT_TRUE(is_2xx(srv.http().del(member("bob"), srv.token("bob")).status));
  auto after = srv.send("alice", coaches, "after the door closed")["seq"].get<std::int64_t>();
  auto carols = read_events(*carol, coaches, 2, 5s);  // member_left, then the message
  ASSERT_FALSE(carols.empty());
  EXPECT_EQ(carols.back()["seq"].get<std::int64_t>(), after);
  expect_no_events_from(*bob, coaches, after);
}

TEST_F(ws_membership_test, LogoutClosesThatSessionsSocketsWith4001) {
  auto other_session = srv.http().post(test_server::api("/sessions"),
                                       {{"username", "bob"}, {"password", password_for("bob")}});
  ASSERT_STATUS(other_session, 201);
  auto laptop_token = other_session.json()["token"].get<std::string>();

  auto phone = srv.connect("bob");      // session 1
  auto phone2 = srv.connect("bob");     // session 1 again
  auto laptop = std::make_unique<ws_client>();
  ASSERT_TRUE(laptop->connect(srv.port()));
  ASSERT_TRUE(laptop->hello(laptop_token).has_value());

  ASSERT_STATUS(srv.http().del(test_server::api("/sessions/current"), srv.token("bob")), 204);
  for (auto* ws : {phone.get(), phone2.get()}) {
    auto end = ws->read_close(3s);
    EXPECT_EQ(end.how, ws_close::outcome::closed) << end.error;
    EXPECT_EQ(end.code, 4001);
  }
  // The laptop's session was not logged out.
  srv.send("alice", coaches, "for the laptop");
  auto got = read_events(*laptop, coaches, 1, 5s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value("body", ""), "for the laptop");
  // The old token opens nothing any more.
  ws_client again;
  ASSERT_TRUE(again.connect(srv.port()));
  EXPECT_FALSE(again.hello(srv.token("bob")).has_value());
  EXPECT_EQ(again.read_close(3s).code, 4001);
}

TEST_F(ws_membership_test, ANewMemberStartsReceivingWithoutReconnecting) {
  auto dave = srv.connect("dave");
  srv.join("dave", coaches);
  auto joined = dave->read_until(event_kind("member_joined", coaches), 5s);
  EXPECT_TRUE(joined.has_value()) << "dave's socket did not see his own join";
  auto seq = srv.send("bob", coaches, "welcome dave")["seq"].get<std::int64_t>();
  auto msg = dave->read_until(event_kind("message", coaches), 5s);
  ASSERT_TRUE(msg.has_value()) << "dave's open socket was not subscribed to coaches";
  EXPECT_EQ((*msg)["seq"].get<std::int64_t>(), seq);
}

TEST_F(ws_membership_test, TheSessionCookieAuthenticatesTheSocket) {
  auto r = srv.http().post(test_server::api("/sessions"), {{"username", "bob"}, {"password", password_for("bob")}});
  ASSERT_STATUS(r, 201);
  std::string cookie;
  for (auto const& c : r.set_cookies())
    if (c.rfind("peerchat_session=", 0) == 0) cookie = c.substr(0, c.find(';'));
  ASSERT_FALSE(cookie.empty());
  ws_client ws;
  ws_options opts;
  opts.cookie = cookie;
  opts.origin = srv.origin();
  ASSERT_TRUE(ws.connect(srv.port(), opts)) << ws.error();
  auto ready = ws.hello();
  ASSERT_TRUE(ready.has_value()) << ws.last_frame().dump();
  EXPECT_EQ((*ready)["user"].value("username", ""), "bob");
}

}  // namespace
}  // namespace peerchat::test
