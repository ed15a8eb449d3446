// SPDX-License-Identifier: MIT
// Fan-out: every connection of every member receives every event of the group exactly
// once and in seq order; a non-member's connection never receives a byte of it; typing and
// presence reach the members of shared groups only.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <map>
#include <optional>
#include <set>

namespace peerchat::test {
namespace {

class ws_fanout_test : public coaches_test {
 protected:

  // True when any frame mentions the group (an event, typing, anything with its id).
  static bool mentions_group(std::vector<json> const& frames, std::int64_t group) {
    for (auto const& f : frames)
      if (f.value("group_id", std::int64_t{0}) == group) return true;
    return false;
  }

  // The state a presence or presence_batch frame gives the user (the last change for them),
  // nullopt when it says nothing of them.
  static std::optional<bool> presence_of(json const& f, std::int64_t user) {
    std::optional<bool> out;
    auto type = f.value("type", "");
    if (type == "presence" && f.value("user_id", std::int64_t{0}) == user) out = f.value("online", false);
    if (type == "presence_batch")
      for (auto const& c : f["changes"])
        if (c.value("user_id", std::int64_t{0}) == user) out = c.value("online", false);
    return out;
  }
};

TEST_F(ws_fanout_test, ReadyDescribesTheUserAndTheirGroups) {
  auto ws = srv.connect("bob");
  auto ready = ws->last_frame();
  EXPECT_EQ(ready.value("type", ""), "ready");
  EXPECT_EQ(ready["user"].value("id", std::int64_t{0}), srv.id("bob")) << ready.dump();
  EXPECT_EQ(ready["user"].value("username", ""), "bob") << ready.dump();
  ASSERT_EQ(ready["groups"].size(), 1u) << ready.dump();
  EXPECT_EQ(ready["groups"][0].value("id", std::int64_t{0}), coaches);
  EXPECT_EQ(ready["groups"][0].value("name", ""), "coaches");
  EXPECT_EQ(last_seq_in_ready(ready, coaches), srv.events("bob", coaches).back()["seq"].get<std::int64_t>());
  auto daves = srv.connect("dave");
  EXPECT_TRUE(daves->last_frame()["groups"].empty()) << daves->last_frame().dump();
}

TEST_F(ws_fanout_test, EveryConnectionOfEveryMemberGetsEveryEventOnceInOrder) {
  auto scouts = srv.create_group("alice", "scouts");
  srv.join("dave", scouts);
  auto start = srv.events("alice", coaches).back()["seq"].get<std::int64_t>();

  std::map<std::string, std::vector<std::unique_ptr<ws_client>>> conns;
  for (auto name : {"alice", "bob", "carol"}) {
    conns[name].push_back(srv.connect(name));
    conns[name].push_back(srv.connect(name));
  }
  auto dave = srv.connect("dave");

  // Three senders, interleaved: alice and carol over WebSocket, bob over HTTP; and traffic
  // in dave's group alongside.
  constexpr int rounds = 10;
  std::map<std::string, std::string> body_of;  // client_msg_id → body
  for (int i = 0; i < rounds; ++i) {
    auto a = "a-" + std::to_string(i), c = "c-" + std::to_string(i), b = "b-" + std::to_string(i);
    body_of[a] = "alice says " + std::to_string(i);
    body_of[b] = "bob says " + std::to_string(i);
    body_of[c] = "carol says " + std::to_string(i);
    ASSERT_TRUE(conns["alice"][0]->send_json(send_frame(coaches, a, body_of[a])));
    srv.send("bob", coaches, body_of[b], b);
    ASSERT_TRUE(conns["carol"][1]->send_json(send_frame(coaches, c, body_of[c])));
    if (i % 2 == 0) srv.send("alice", scouts, "scouts only " + std::to_string(i));
  }
  auto const total = static_cast<std::size_t>(3 * rounds);

  for (auto& [name, list] : conns) {
    for (std::size_t k = 0; k < list.size(); ++k) {
      SCOPED_TRACE(name + " connection " + std::to_string(k));
      std::vector<json> others;
      auto events = read_events(*list[k], coaches, total, std::chrono::seconds(10), &others);
      EXPECT_EQ(seqs_of(events), seq_range(start + 1, start + static_cast<std::int64_t>(total)));
      for (auto const& e : events) {
        EXPECT_EQ(e.value("kind", ""), "message");
        auto id = e.value("client_msg_id", "");
        EXPECT_EQ(e.value("body", ""), body_of[id]) << e.dump();
      }
      // Nothing twice, nothing from a group this user is not in.
      auto more = frames_before_pong(*list[k]);
      others.insert(others.end(), more.begin(), more.end());
      for (auto const& f : others) {
        bool alices_other_group = name == "alice" && f.value("group_id", std::int64_t{0}) == scouts;
        EXPECT_TRUE(f.value("type", "") != "event" || alices_other_group) << "unexpected event " << f.dump();
      }
      if (name != "alice") {
        EXPECT_FALSE(mentions_group(others, scouts));
      }
      // The senders' own connections got their acks.
      if ((name == "alice" && k == 0) || (name == "carol" && k == 1)) {
        std::set<std::string> acked;
        for (auto const& f : others) {
          if (f.value("type", "") != "ack") continue;
          acked.insert(f.value("client_msg_id", ""));
          EXPECT_EQ(f.value("group_id", std::int64_t{0}), coaches) << f.dump();
          EXPECT_GT(f.value("seq", std::int64_t{0}), start) << f.dump();
          EXPECT_GT(f.value("ts", std::int64_t{0}), 0) << f.dump();
        }
        EXPECT_EQ(acked.size(), static_cast<std::size_t>(rounds));
      }
    }
  }

  // Dave saw his group's traffic and not one frame of coaches.
  std::vector<json> daves_others;
  auto scouts_events = read_events(*dave, scouts, rounds / 2, std::chrono::seconds(5), &daves_others);
  EXPECT_EQ(scouts_events.size(), static_cast<std::size_t>(rounds / 2));
  auto rest = frames_before_pong(*dave);
  daves_others.insert(daves_others.end(), rest.begin(), rest.end());
  EXPECT_FALSE(mentions_group(daves_others, coaches));
  for (auto const& f : daves_others) {
    auto text = f.dump();
    EXPECT_EQ(text.find("says"), std::string::npos) << "dave received " << text;
  }
}

TEST_F(ws_fanout_test, ANonMemberReceivesNothingUnderLoad) {
  auto dave = srv.connect("dave");
  auto bob = srv.connect("bob");
  auto alice = srv.connect("alice");
  auto start = last_seq_in_ready(bob->last_frame(), coaches);
  constexpr int n = 200;
  for (int i = 0; i < n; ++i) ASSERT_TRUE(alice->send_json(send_frame(coaches, "load-" + std::to_string(i), "load")));
  auto events = read_events(*bob, coaches, n, std::chrono::seconds(20));
  EXPECT_EQ(seqs_of(events), seq_range(start + 1, start + n));
  auto got = frames_before_pong(*dave);
  EXPECT_TRUE(got.empty()) << got.size() << " frames, first " << got.front().dump();
}

TEST_F(ws_fanout_test, TypingReachesTheGroupsMembersOnly) {
  auto alice = srv.connect("alice");
  auto bob = srv.connect("bob");
  auto carol = srv.connect("carol");
  auto dave = srv.connect("dave");
  frames_before_pong(*alice);
  frames_before_pong(*bob);
  ASSERT_TRUE(carol->send_json({{"type", "typing"}, {"group_id", coaches}}));
  for (auto* ws : {alice.get(), bob.get()}) {
    auto typing = ws->read_until(frame_type("typing"), std::chrono::seconds(3));
    ASSERT_TRUE(typing.has_value());
    EXPECT_EQ(typing->value("group_id", std::int64_t{0}), coaches);
    EXPECT_EQ(typing->value("user_id", std::int64_t{0}), srv.id("carol"));
  }
  for (auto const& f : frames_before_pong(*dave))
    EXPECT_NE(f.value("type", ""), "typing") << f.dump();
  // Typing into a group one is not in is refused like anything else of that group.
  ASSERT_TRUE(dave->send_json({{"type", "typing"}, {"group_id", coaches}}));
  auto err = dave->read_until(frame_type("error"), std::chrono::seconds(3));
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->value("code", ""), "not_found");
  for (auto const& f : frames_before_pong(*alice))
    EXPECT_NE(f.value("type", ""), "typing") << f.dump();
}

TEST_F(ws_fanout_test, PresenceReachesMembersOfSharedGroupsOnly) {
  auto alice = srv.connect("alice");
  auto dave = srv.connect("dave");
  auto carol = srv.connect("carol");
  auto online = alice->read_until([&](json const& f) { return presence_of(f, srv.id("carol")).has_value(); },
                                  std::chrono::seconds(3));
  ASSERT_TRUE(online.has_value()) << "alice was not told carol came online";
  EXPECT_EQ(presence_of(*online, srv.id("carol")), true);
  bool carol_listed_online = false;
  for (auto whole = srv.group("alice", coaches); auto const& m : whole["members"])
    if (m.value("username", "") == "carol") carol_listed_online = m.value("online", false);
  EXPECT_TRUE(carol_listed_online);

  carol->close();
  auto offline = alice->read_until([&](json const& f) { return presence_of(f, srv.id("carol")) == false; },
                                   std::chrono::seconds(12));
  EXPECT_TRUE(offline.has_value()) << "alice was not told carol went offline";
  for (auto const& f : frames_before_pong(*dave))
    EXPECT_FALSE(presence_of(f, srv.id("carol")).has_value())
        << "dave shares no group with carol: " << f.dump();
}

}  // namespace
}  // namespace peerchat::test
