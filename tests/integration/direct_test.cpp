// SPDX-License-Identifier: MIT
// Direct conversations and blocks (docs/accounts.md): one conversation per pair, also under
// concurrent starts; only with people who share a group; listed with kind and peer; no
// invites, roles, renames or removals; everything else like a group (history, replay,
// search, unread, reactions); a blocked user can neither start nor send, over HTTP or the
// WebSocket, and the socket stays usable.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class direct_test : public coaches_test {
 protected:
  http_response start(std::string const& by, std::int64_t user_id) {
    return srv.http().post(test_server::api("/direct"), {{"user_id", user_id}}, srv.token(by));
  }
  std::int64_t conversation(std::string const& by, std::string const& with) {
    auto r = start(by, srv.id(with));
    if (!is_2xx(r.status)) ADD_FAILURE() << r;
    return r.json().value("id", std::int64_t{0});
  }
  std::string dm(std::int64_t g, std::string const& rest = {}) const {
    return test_server::api("/groups/" + std::to_string(g) + rest);
  }
  std::string block_path(std::string const& username) { return test_server::api("/users/" + std::to_string(srv.id(username)) + "/block"); }
  // The caller's GET /groups entry for g (null when not listed).
  json listed(std::string const& by, std::int64_t g) {
    auto whole = srv.http().get(test_server::api("/groups"), srv.token(by)).json();
    for (auto const& e : whole["groups"])
      if (e.value("id", std::int64_t{0}) == g) return e;
    return nullptr;
  }
  http_response post_message(std::string const& by, std::int64_t g, std::string const& body, std::string const& cmid) {
    return srv.http().post(dm(g, "/messages"), {{"body", body}, {"client_msg_id", cmid}}, srv.token(by));
  }
};

TEST_F(direct_test, StartingMakesAConversationOfTwoAndStartingAgainFindsIt) {
  auto r = start("bob", srv.id("carol"));
  ASSERT_STATUS(r, 201);
  auto j = r.json();
  auto g = j.value("id", std::int64_t{0});
  EXPECT_GT(g, 0);
  EXPECT_EQ(j.value("kind", ""), "direct");
  EXPECT_EQ(j.value("name", "?"), "");
  EXPECT_EQ(j.value("topic", "?"), "");
  EXPECT_EQ(j.value("role", ""), "member");
  ASSERT_EQ(j["members"].size(), 2u) << j.dump();
  std::set<std::string> names;
  for (auto const& m : j["members"]) {
    names.insert(m.value("username", ""));
    EXPECT_EQ(m.value("role", ""), "member") << m.dump();
  }
  EXPECT_EQ(names, (std::set<std::string>{"bob", "carol"}));
  EXPECT_EQ(j["peer"].value("user_id", std::int64_t{0}), srv.id("carol")) << j.dump();
  EXPECT_EQ(j["peer"].value("display_name", ""), srv.user("carol").display_name);

  auto again = start("bob", srv.id("carol"));
  ASSERT_STATUS(again, 200);
  EXPECT_EQ(again.json().value("id", std::int64_t{0}), g);
  auto other_side = start("carol", srv.id("bob"));
  ASSERT_STATUS(other_side, 200);
  EXPECT_EQ(other_side.json().value("id", std::int64_t{0}), g);
  EXPECT_EQ(other_side.json()["peer"].value("user_id", std::int64_t{0}), srv.id("bob"));
  // Its log starts with the two joins, like any group's.
  auto events = srv.events("carol", g);
  ASSERT_EQ(events.size(), 2u);
  for (auto const& e : events) EXPECT_EQ(e.value("kind", ""), "member_joined") << e.dump();
}

TEST_F(direct_test, ConcurrentStartsMakeOneConversation) {
  srv.token("bob");
  srv.token("carol");
  constexpr int threads = 8;
  std::mutex mutex;
  std::vector<int> statuses;
  std::set<std::int64_t> ids;
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&, i] {
      // Both sides race, each from several threads.
      auto r = i % 2 ? start("bob", srv.id("carol")) : start("carol", srv.id("bob"));
      std::lock_guard lock(mutex);
      statuses.push_back(r.status);
      ids.insert(r.json().value("id", std::int64_t{0}));
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), threads - 1);
  ASSERT_EQ(ids.size(), 1u);
  int directs = 0;
  auto whole = srv.http().get(test_server::api("/groups"), srv.token("bob")).json();
  for (auto const& e : whole["groups"])
    if (e.value("kind", "") == "direct") ++directs;
  EXPECT_EQ(directs, 1);
}

TEST_F(direct_test, OnlyWithSomeoneWhoSharesAGroup) {
  srv.token("dave");  // in no group
  EXPECT_ERROR(start("bob", srv.id("dave")), 404, "not_found");
  EXPECT_ERROR(start("dave", srv.id("alice")), 404, "not_found");
  EXPECT_ERROR(start("bob", 987654), 404, "not_found");
  EXPECT_ERROR(start("bob", srv.id("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().post(test_server::api("/direct"), {{"user_id", "carol"}}, srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().post(test_server::api("/direct"), {{"user_id", srv.id("carol")}}), 401, "unauthorized");
  // A direct conversation does not count as a shared group: dave, who knows only bob through
  // one, cannot reach carol.
  srv.join("dave", coaches);
  auto dave_bob = conversation("dave", "bob");
  ASSERT_GT(dave_bob, 0);
  srv.http().del(test_server::api("/groups/" + std::to_string(coaches) + "/members/" + std::to_string(srv.id("dave"))),
                 srv.token("dave"));
  EXPECT_ERROR(start("dave", srv.id("carol")), 404, "not_found");
  // The existing conversation is still theirs.
  EXPECT_STATUS(start("dave", srv.id("bob")), 200);
}

TEST_F(direct_test, ListedWithKindAndPeerAndHiddenFromOthers) {
  auto g = conversation("bob", "carol");
  auto entry = listed("bob", g);
  ASSERT_FALSE(entry.is_null());
  EXPECT_EQ(entry.value("kind", ""), "direct");
  EXPECT_EQ(entry["peer"].value("user_id", std::int64_t{0}), srv.id("carol")) << entry.dump();
  EXPECT_EQ(entry["peer"].value("username", ""), "carol");
  auto group_entry = listed("bob", coaches);
  EXPECT_EQ(group_entry.value("kind", ""), "group");
  EXPECT_FALSE(group_entry.contains("peer"));
  EXPECT_EQ(srv.group("carol", coaches).value("kind", ""), "group");
  // ready carries the same.
  auto ws = srv.connect("carol");
  bool found = false;
  for (auto const& e : ws->last_frame()["groups"])
    if (e.value("id", std::int64_t{0}) == g) {
      found = true;
      EXPECT_EQ(e.value("kind", ""), "direct");
      EXPECT_EQ(e["peer"].value("user_id", std::int64_t{0}), srv.id("bob"));
    }
  EXPECT_TRUE(found) << ws->last_frame().dump();
  // Nobody else sees it or anything in it.
  EXPECT_TRUE(listed("alice", g).is_null());
  EXPECT_ERROR(srv.http().get(dm(g), srv.token("alice")), 404, "not_found");
  EXPECT_ERROR(srv.http().get(dm(g, "/messages"), srv.token("alice")), 404, "not_found");
  EXPECT_ERROR(post_message("alice", g, "hi", "a1"), 404, "not_found");
}

TEST_F(direct_test, NoInvitesRolesRenamesOrRemovals) {
  auto g = conversation("bob", "carol");
  EXPECT_ERROR(srv.http().post(dm(g, "/invites"), json::object(), srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().patch(dm(g), {{"name", "us"}}, srv.token("bob")), 400, "bad_request");
  auto carol = dm(g, "/members/" + std::to_string(srv.id("carol")));
  auto bob = dm(g, "/members/" + std::to_string(srv.id("bob")));
  EXPECT_ERROR(srv.http().patch(carol, {{"role", "admin"}}, srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().del(carol, srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().del(bob, srv.token("bob")), 400, "bad_request");  // leaving
  // Outsiders still learn nothing.
  EXPECT_ERROR(srv.http().patch(dm(g), {{"name", "us"}}, srv.token("alice")), 404, "not_found");
  EXPECT_ERROR(srv.http().post(dm(g, "/invites"), json::object(), srv.token("alice")), 404, "not_found");
  auto after = srv.group("bob", g);
  EXPECT_EQ(after["members"].size(), 2u);
  EXPECT_EQ(after.value("name", "?"), "");
  // Ordinary groups keep these.
  EXPECT_STATUS(srv.http().patch(test_server::api("/groups/" + std::to_string(coaches)), {{"name", "coaches 2"}},
                                 srv.token("alice")), 200);
}

TEST_F(direct_test, HistorySearchUnreadReactionsAndReplayWorkLikeAGroup) {
  auto g = conversation("bob", "carol");
  auto carol_ws = srv.connect("carol", json{{std::to_string(g), 0}});
  auto first = post_message("bob", g, "the walnut plan", "b1");
  ASSERT_STATUS(first, 201);
  auto seq = first.json().value("seq", std::int64_t{0});
  ASSERT_STATUS(post_message("bob", g, "second thought", "b2"), 201);
  // Live to the other side.
  auto live = read_events(*carol_ws, g, 4, 5s);  // two joins (the replay) and two messages
  ASSERT_EQ(live.size(), 4u);
  EXPECT_EQ(live[2].value("body", ""), "the walnut plan");
  // History and unread.
  auto history = srv.http().get(dm(g, "/messages"), srv.token("carol")).json()["messages"];
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(listed("carol", g).value("unread", -1), 2);
  EXPECT_EQ(listed("bob", g).value("unread", -1), 0);
  // Reactions.
  EXPECT_STATUS(srv.http().put(dm(g, "/messages/" + std::to_string(seq) + "/reactions/" + url_encode("👍")), srv.token("carol")), 200);
  // Search finds it for the two, and for nobody else.
  auto found = srv.http().get(test_server::api("/search?q=walnut"), srv.token("carol")).json()["results"];
  ASSERT_EQ(found.size(), 1u) << found.dump();
  EXPECT_EQ(found[0].value("group_id", std::int64_t{0}), g);
  EXPECT_TRUE(srv.http().get(test_server::api("/search?q=walnut"), srv.token("alice")).json()["results"].empty());
  // Read marker.
  EXPECT_STATUS(srv.http().post(dm(g, "/read"), {{"seq", seq + 1}}, srv.token("carol")), 204);
  EXPECT_EQ(listed("carol", g).value("unread", -1), 0);
  // A reconnect resumes where it left off.
  carol_ws->close();
  ASSERT_STATUS(post_message("bob", g, "while you were away", "b3"), 201);
  auto back = srv.connect("carol", json{{std::to_string(g), seq + 1}});
  auto replay = read_events(*back, g, 2, 5s);  // the reaction, then the new message
  ASSERT_EQ(replay.size(), 2u);
  EXPECT_EQ(replay[0].value("kind", ""), "reaction_added");
  EXPECT_EQ(replay[1].value("body", ""), "while you were away");
}

TEST_F(direct_test, ABlockedUserCanNeitherStartNorSend) {
  auto g = conversation("bob", "carol");
  EXPECT_STATUS(srv.http().put(block_path("bob"), srv.token("carol")), 204);
  EXPECT_STATUS(srv.http().put(block_path("bob"), srv.token("carol")), 204);  // idempotent
  auto blocks = srv.http().get(test_server::api("/me/blocks"), srv.token("carol")).json()["blocks"];
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].value("user_id", std::int64_t{0}), srv.id("bob"));
  EXPECT_EQ(blocks[0].value("username", ""), "bob");
  EXPECT_TRUE(srv.http().get(test_server::api("/me/blocks"), srv.token("bob")).json()["blocks"].empty());

  auto refused = start("bob", srv.id("carol"));
  EXPECT_ERROR(refused, 403, "forbidden");
  EXPECT_NE(refused.json()["error"].value("message", "").find("has blocked you"), std::string::npos) << refused;
  auto send = post_message("bob", g, "hello?", "b1");
  EXPECT_ERROR(send, 403, "forbidden");
  EXPECT_NE(send.json()["error"].value("message", "").find("has blocked you"), std::string::npos) << send;
  // The blocker cannot write either until they unblock (they can still open it).
  EXPECT_STATUS(start("carol", srv.id("bob")), 200);
  EXPECT_ERROR(post_message("carol", g, "go away", "c1"), 403, "forbidden");

  // Over the WebSocket: an error frame, and the connection stays usable.
  auto ws = srv.connect("bob");
  ASSERT_TRUE(ws->send_json(send_frame(g, "w1", "hello over ws?")));
  auto err = ws->read_until(frame_type("error"), 5s);
  ASSERT_TRUE(err) << ws->last_frame().dump();
  EXPECT_EQ(err->value("code", ""), "forbidden");
  EXPECT_EQ(err->value("ref", ""), "w1");
  ASSERT_TRUE(ws->send_json(send_frame(coaches, "w2", "ordinary groups are not affected")));
  auto ack = ws->read_until(frame_type("ack"), 5s);
  ASSERT_TRUE(ack) << ws->last_frame().dump();
  EXPECT_EQ(ack->value("group_id", std::int64_t{0}), coaches);
  EXPECT_TRUE(ws->is_open());
  EXPECT_TRUE(srv.events("carol", g).size() == 2u) << "nothing was stored in the conversation";

  // Unblocked: both write again.
  EXPECT_STATUS(srv.http().del(block_path("bob"), srv.token("carol")), 204);
  EXPECT_STATUS(post_message("bob", g, "hello again", "b2"), 201);
  EXPECT_STATUS(post_message("carol", g, "hi", "c2"), 201);
  ASSERT_TRUE(ws->send_json(send_frame(g, "w3", "and over ws")));
  auto ack2 = ws->read_until(frame_type("ack"), 5s);
  ASSERT_TRUE(ack2) << ws->last_frame().dump();
  EXPECT_EQ(ack2->value("group_id", std::int64_t{0}), g);
}

// When one side deletes their account the other keeps the conversation to read, with the
// peer shown as "Deleted user"; a send gets a plain 403 rather than going to nobody.
TEST_F(direct_test, AConversationWhosePeerDeletedTheirAccountIsReadOnly) {
  auto g = conversation("bob", "carol");
  ASSERT_STATUS(post_message("bob", g, "see you at the workshop", "b1"), 201);
  ASSERT_STATUS(srv.http().del(test_server::api("/admin/users/" + std::to_string(srv.id("bob"))), srv.token("alice")), 204);

  auto entry = listed("carol", g);
  ASSERT_FALSE(entry.is_null()) << "carol keeps the conversation";
  EXPECT_EQ(entry["peer"].value("deleted", false), true) << entry;
  EXPECT_EQ(entry["peer"].value("display_name", ""), "Deleted user") << entry;
  auto history = srv.http().get(dm(g, "/messages"), srv.token("carol"));
  ASSERT_STATUS(history, 200);
  EXPECT_EQ(history.json()["messages"].size(), 1u) << "the history stays readable";

  auto send = post_message("carol", g, "are you there?", "c1");
  EXPECT_ERROR(send, 403, "forbidden");
  EXPECT_NE(send.json()["error"].value("message", "").find("deleted their account"), std::string::npos) << send;
  EXPECT_STATUS(post_message("carol", coaches, "groups go on", "c2"), 201);
}

// Opening conversations spends a per-user budget: a burst of 20, then 429 with Retry-After.
TEST_F(direct_test, StartingIsRateLimitedPerUser) {
  int ok = 0;
  for (int i = 0; i < 40 && ok <= 20; ++i) {
    auto r = start("bob", srv.id("carol"));
    if (!is_2xx(r.status)) {
      EXPECT_ERROR(r, 429, "rate_limited");
      EXPECT_FALSE(r.header("Retry-After").empty()) << r;
      break;
    }
    ++ok;
  }
  EXPECT_EQ(ok, 20);
  EXPECT_STATUS(start("carol", srv.id("bob")), 200) << "carol's budget is her own";
}

TEST_F(direct_test, ABlockBeforeAnyConversationStopsItsStart) {
  EXPECT_STATUS(srv.http().put(block_path("carol"), srv.token("bob")), 204);
  EXPECT_ERROR(start("carol", srv.id("bob")), 403, "forbidden");
  // The blocker may open it (to read, or to unblock later), not write in it.
  auto r = start("bob", srv.id("carol"));
  ASSERT_STATUS(r, 201);
  EXPECT_ERROR(post_message("bob", r.json().value("id", std::int64_t{0}), "x", "b1"), 403, "forbidden");
}

TEST_F(direct_test, BlockingNeedsSomeoneYouShareAGroupWith) {
  srv.token("dave");
  EXPECT_ERROR(srv.http().put(block_path("dave"), srv.token("bob")), 404, "not_found");
  EXPECT_ERROR(srv.http().del(block_path("dave"), srv.token("bob")), 404, "not_found");
  EXPECT_ERROR(srv.http().put(test_server::api("/users/987654/block"), srv.token("bob")), 404, "not_found");
  EXPECT_ERROR(srv.http().put(test_server::api("/users/nobody/block"), srv.token("bob")), 404, "not_found");
  EXPECT_ERROR(srv.http().put(block_path("bob"), srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().put(block_path("carol")), 401, "unauthorized");
  EXPECT_STATUS(srv.http().del(block_path("carol"), srv.token("bob")), 204);  // nothing to lift: fine
}

}  // namespace
}  // namespace peerchat::test
