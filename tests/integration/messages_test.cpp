// SPDX-License-Identifier: MIT
// The message log over HTTP: sending (idempotent), replies, history paging, edits,
// deletes that erase the body everywhere, reactions, read markers with unread counts, search.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <set>

namespace peerchat::test {
namespace {

class messages_test : public coaches_test {
 protected:
  std::string g(std::string const& rest = {}) const {
    return test_server::api("/groups/" + std::to_string(coaches) + rest);
  }
  std::int64_t send(std::string const& by, std::string const& body) {
    return srv.send(by, coaches, body)["seq"].get<std::int64_t>();
  }
  json history(std::string const& by, std::string const& query = {}) {
    auto r = srv.http().get(g("/messages" + query), srv.token(by));
    EXPECT_STATUS(r, 200);
    return r.json()["messages"];
  }
  json message_at(std::string const& by, std::int64_t seq) {
    for (auto const& m : history(by, "?limit=200"))
      if (m.value("seq", std::int64_t{0}) == seq) return m;
    return nullptr;
  }
  json group_entry(std::string const& by) {
    for (auto whole = srv.http().get(test_server::api("/groups"), srv.token(by)).json(); auto const& gr : whole["groups"])
      if (gr.value("id", std::int64_t{0}) == coaches) return gr;
    return nullptr;
  }
  json search(std::string const& by, std::string const& q, std::string const& extra = {}) {
    auto r = srv.http().get(test_server::api("/search?q=" + url_encode(q) + extra), srv.token(by));
    EXPECT_STATUS(r, 200);
    return r.json()["results"];
  }
};

TEST_F(messages_test, SendingReturnsTheMessageEvent) {
  auto r = srv.http().post(g("/messages"), {{"body", "Training moved to 6pm"}, {"client_msg_id", "c-1"}},
                           srv.token("bob"));
  ASSERT_STATUS(r, 201);
  auto e = r.json();
  EXPECT_EQ(e.value("type", ""), "event");
  EXPECT_EQ(e.value("kind", ""), "message");
  EXPECT_EQ(e.value("group_id", std::int64_t{0}), coaches);
  EXPECT_GT(e.value("seq", std::int64_t{0}), 0);
  EXPECT_GT(e.value("ts", std::int64_t{0}), 1600000000000);
  EXPECT_GT(e.value("id", std::int64_t{0}), 0);
  EXPECT_EQ(e.value("body", ""), "Training moved to 6pm");
  EXPECT_EQ(e.value("client_msg_id", ""), "c-1");
  EXPECT_EQ(e["sender"].value("user_id", std::int64_t{0}), srv.id("bob"));
  EXPECT_EQ(e["sender"].value("display_name", ""), "Bob");
  // The log holds exactly that event.
  auto events = srv.events("alice", coaches);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), e);
}

TEST_F(messages_test, ARetriedSendCreatesNothing) {
  auto first = srv.http().post(g("/messages"), {{"body", "once"}, {"client_msg_id", "retry-me"}}, srv.token("bob"));
  ASSERT_STATUS(first, 201);
  auto last_seq = first.json()["seq"].get<std::int64_t>();
  for (int i = 0; i < 3; ++i) {
    auto again = srv.http().post(g("/messages"), {{"body", "once"}, {"client_msg_id", "retry-me"}}, srv.token("bob"));
    ASSERT_STATUS(again, 200);
    EXPECT_EQ(again.json(), first.json());
  }
  EXPECT_EQ(srv.events("alice", coaches).back().value("seq", std::int64_t{0}), last_seq);
  // The same id from someone else is their own message.
  auto carols = srv.http().post(g("/messages"), {{"body", "mine"}, {"client_msg_id", "retry-me"}}, srv.token("carol"));
  ASSERT_STATUS(carols, 201);
  EXPECT_EQ(carols.json()["seq"].get<std::int64_t>(), last_seq + 1);
}

TEST_F(messages_test, RepliesPointAtMessages) {
  auto original = send("alice", "Who brings the cones?");
  auto reply = srv.http().post(g("/messages"), {{"body", "I do"}, {"client_msg_id", "r1"}, {"reply_to", original}},
                               srv.token("bob"));
  ASSERT_STATUS(reply, 201);
  EXPECT_EQ(reply.json().value("reply_to", std::int64_t{0}), original);
  EXPECT_EQ(message_at("carol", reply.json()["seq"].get<std::int64_t>()).value("reply_to", std::int64_t{0}), original);
  // A reply to something that is not a message is refused.
  std::int64_t a_join = 0;
  for (auto const& e : srv.events("alice", coaches))
    if (e.value("kind", "") == "member_joined") a_join = e["seq"].get<std::int64_t>();
  ASSERT_GT(a_join, 0);
  EXPECT_ERROR(srv.http().post(g("/messages"), {{"body", "?"}, {"client_msg_id", "r2"}, {"reply_to", a_join}},
                               srv.token("bob")),
               400, "bad_request");
  EXPECT_ERROR(srv.http().post(g("/messages"), {{"body", "?"}, {"client_msg_id", "r3"}, {"reply_to", 999999}},
                               srv.token("bob")),
               400, "bad_request");
}

TEST_F(messages_test, HistoryPagesNewestFirstWithoutGapsOrRepeats) {
  std::vector<std::int64_t> sent;
  for (int i = 0; i < 12; ++i) sent.push_back(send(i % 2 ? "bob" : "carol", "message " + std::to_string(i)));
  auto first = history("alice", "?limit=5");
  ASSERT_EQ(first.size(), 5u);
  EXPECT_EQ(first[0]["seq"].get<std::int64_t>(), sent.back());
  EXPECT_EQ(first[0].value("body", ""), "message 11");
  std::vector<std::int64_t> seen;
  std::string query = "?limit=5";
  for (int page = 0; page < 10; ++page) {
    auto list = history("alice", query);
    if (list.empty()) break;
    for (auto const& m : list) {
      if (!seen.empty()) {
        EXPECT_LT(m["seq"].get<std::int64_t>(), seen.back()) << "newest first";
      }
      seen.push_back(m["seq"].get<std::int64_t>());
    }
    query = "?limit=5&before=" + std::to_string(seen.back());
  }
  std::vector<std::int64_t> expected(sent.rbegin(), sent.rend());
  EXPECT_EQ(seen, expected) << "only messages, each once";
  auto defaults = history("alice");
  EXPECT_EQ(defaults.size(), 12u);
  EXPECT_TRUE(history("alice", "?before=1").empty());
}

TEST_F(messages_test, EditsShowInHistoryAndOnlyTheAuthorEdits) {
  auto seq = send("bob", "See you at 5");
  auto r = srv.http().patch(g("/messages/" + std::to_string(seq)), {{"body", "See you at 6"}}, srv.token("bob"));
  ASSERT_STATUS(r, 200);
  auto e = r.json();
  EXPECT_EQ(e.value("kind", ""), "message_edited");
  EXPECT_EQ(e.value("target_seq", std::int64_t{0}), seq);
  EXPECT_EQ(e.value("body", ""), "See you at 6");
  EXPECT_EQ(message_at("carol", seq).value("body", ""), "See you at 6");
  EXPECT_ERROR(srv.http().patch(g("/messages/" + std::to_string(seq)), {{"body", "hijack"}}, srv.token("carol")), 403,
               "forbidden");
  EXPECT_ERROR(srv.http().patch(g("/messages/" + std::to_string(seq)), {{"body", ""}}, srv.token("bob")), 400,
               "bad_request");
  EXPECT_EQ(message_at("carol", seq).value("body", ""), "See you at 6");
  // An edit targets messages only.
  auto not_a_message = srv.http().patch(g("/messages/" + std::to_string(e["seq"].get<std::int64_t>())), {{"body", "x"}},
                                        srv.token("bob"));
  EXPECT_TRUE(not_a_message.status == 400 || not_a_message.status == 404) << not_a_message;
}

TEST_F(messages_test, DeletingAMessageErasesItsBodyEverywhere) {
  auto seq = send("bob", "my secret pinecone plan");
  auto edit = srv.http().patch(g("/messages/" + std::to_string(seq)), {{"body", "my secret walnut plan"}},
                               srv.token("bob"));
  ASSERT_STATUS(edit, 200);
  ASSERT_FALSE(search("alice", "walnut").empty());
  auto del = srv.http().del(g("/messages/" + std::to_string(seq)), srv.token("bob"));
  ASSERT_TRUE(is_2xx(del.status)) << del;

  auto m = message_at("alice", seq);
  ASSERT_FALSE(m.is_null());
  EXPECT_EQ(m.value("deleted", false), true) << m.dump();
  EXPECT_FALSE(m.contains("body")) << m.dump();
  bool saw_deleted_event = false;
  for (auto const& e : srv.events("carol", coaches)) {
    auto text = e.dump();
    EXPECT_EQ(text.find("pinecone"), std::string::npos) << text;
    EXPECT_EQ(text.find("walnut"), std::string::npos) << text;
    auto s = e.value("seq", std::int64_t{0});
    if (s == seq || s == edit.json()["seq"].get<std::int64_t>()) {
      EXPECT_EQ(e.value("deleted", false), true) << text;
      EXPECT_FALSE(e.contains("body")) << text;
    }
    if (e.value("kind", "") == "message_deleted" && e.value("target_seq", std::int64_t{0}) == seq)
      saw_deleted_event = true;
  }
  EXPECT_TRUE(saw_deleted_event);
  EXPECT_TRUE(search("alice", "walnut").empty());
  EXPECT_TRUE(search("alice", "pinecone").empty());
  // It stays deleted: no edits, no reactions.
  EXPECT_FALSE(is_2xx(
      srv.http().patch(g("/messages/" + std::to_string(seq)), {{"body", "back"}}, srv.token("bob")).status));
}

TEST_F(messages_test, OwnersAndAdminsDeleteOthersMessages) {
  auto seq = send("carol", "off-topic");
  EXPECT_ERROR(srv.http().del(g("/messages/" + std::to_string(seq)), srv.token("bob")), 403, "forbidden");
  EXPECT_TRUE(is_2xx(srv.http().del(g("/messages/" + std::to_string(seq)), srv.token("alice")).status));
  EXPECT_EQ(message_at("bob", seq).value("deleted", false), true);
}

TEST_F(messages_test, ReactionsAreAddedAndRemoved) {
  auto seq = send("alice", "Great game!");
  auto thumbs = url_encode("👍");
  auto put = srv.http().put(g("/messages/" + std::to_string(seq) + "/reactions/" + thumbs), srv.token("bob"));
  ASSERT_TRUE(is_2xx(put.status)) << put;
  ASSERT_TRUE(is_2xx(srv.http().put(g("/messages/" + std::to_string(seq) + "/reactions/" + thumbs), srv.token("carol")).status));
  auto m = message_at("alice", seq);
  ASSERT_TRUE(m.contains("reactions")) << m.dump();
  std::set<std::int64_t> who;
  for (auto const& id : m["reactions"]["👍"]) who.insert(id.get<std::int64_t>());
  EXPECT_EQ(who, (std::set<std::int64_t>{srv.id("bob"), srv.id("carol")})) << m.dump();

  bool added = false;
  for (auto const& e : srv.events("alice", coaches))
    if (e.value("kind", "") == "reaction_added" && e.value("target_seq", std::int64_t{0}) == seq &&
        e.value("user_id", std::int64_t{0}) == srv.id("bob") && e.value("emoji", "") == "👍")
      added = true;
  EXPECT_TRUE(added);

  auto del = srv.http().del(g("/messages/" + std::to_string(seq) + "/reactions/" + thumbs), srv.token("bob"));
  ASSERT_TRUE(is_2xx(del.status)) << del;
  m = message_at("alice", seq);
  who.clear();
  for (auto const& id : m["reactions"]["👍"]) who.insert(id.get<std::int64_t>());
  EXPECT_EQ(who, std::set<std::int64_t>{srv.id("carol")}) << m.dump();
  bool removed = false;
  for (auto const& e : srv.events("alice", coaches))
    if (e.value("kind", "") == "reaction_removed" && e.value("user_id", std::int64_t{0}) == srv.id("bob"))
      removed = true;
  EXPECT_TRUE(removed);
}

// Issue 10, item 11. The probe: `constructor` and `LGTM!!` were stored as reactions.
TEST_F(messages_test, AReactionMustBeOneEmoji) {
  auto seq = send("alice", "Great game!");
  auto reaction = [&](std::string const& e) { return g("/messages/" + std::to_string(seq) + "/reactions/" + url_encode(e)); };
  for (std::string bad : {"constructor", "LGTM!!", "__proto__", "a", "👍👍"}) {
    SCOPED_TRACE(bad);
    EXPECT_ERROR(srv.http().put(reaction(bad), srv.token("bob")), 400, "bad_request");
  }
  for (std::string good : {"👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "❤️"}) {
    SCOPED_TRACE(good);
    EXPECT_STATUS(srv.http().put(reaction(good), srv.token("bob")), 200);
  }
  auto m = message_at("alice", seq);
  std::set<std::string> kinds;
  for (auto const& [emoji, users] : m["reactions"].items()) kinds.insert(emoji);
  EXPECT_EQ(kinds, (std::set<std::string>{"👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "❤️"})) << m.dump();
}

TEST_F(messages_test, ReadMarkersMoveForwardAndDriveUnreadCounts) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 3; ++i) seqs.push_back(send("alice", "news " + std::to_string(i)));
  auto bob = group_entry("bob");
  EXPECT_EQ(bob.value("last_seq", std::int64_t{0}), seqs.back());
  EXPECT_EQ(bob.value("unread", -1), 3) << bob.dump();

  auto r = srv.http().post(g("/read"), {{"seq", seqs[1]}}, srv.token("bob"));
  EXPECT_TRUE(r.status == 204 || r.status == 200) << r;
  bob = group_entry("bob");
  EXPECT_EQ(bob.value("last_read_seq", std::int64_t{0}), seqs[1]);
  EXPECT_EQ(bob.value("unread", -1), 1) << bob.dump();

  // Never back.
  srv.http().post(g("/read"), {{"seq", seqs[0]}}, srv.token("bob"));
  EXPECT_EQ(group_entry("bob").value("last_read_seq", std::int64_t{0}), seqs[1]);

  srv.http().post(g("/read"), {{"seq", seqs[2]}}, srv.token("bob"));
  bob = group_entry("bob");
  EXPECT_EQ(bob.value("unread", -1), 0) << bob.dump();
  // Carol's marker is her own.
  EXPECT_EQ(group_entry("carol").value("unread", -1), 3);
}

TEST_F(messages_test, SearchFindsWordsInTheCallersGroupsOnly) {
  auto fox = send("bob", "The quick brown fox jumps");
  send("carol", "A lazy dog sleeps");
  auto scouts = srv.create_group("alice", "scouts");
  srv.send("alice", scouts, "a fox in the scouts group");

  auto results = search("bob", "fox");
  ASSERT_EQ(results.size(), 1u) << results.dump();
  EXPECT_EQ(results[0].value("group_id", std::int64_t{0}), coaches);
  EXPECT_EQ(results[0].value("seq", std::int64_t{0}), fox);
  auto snippet = results[0].value("snippet", "");
  EXPECT_NE(snippet.find("fox"), std::string::npos) << snippet;
  EXPECT_NE(snippet, "The quick brown fox jumps") << "the match is highlighted";

  EXPECT_EQ(search("alice", "fox").size(), 2u);
  auto only_scouts = search("alice", "fox", "&group_id=" + std::to_string(scouts));
  ASSERT_EQ(only_scouts.size(), 1u);
  EXPECT_EQ(only_scouts[0].value("group_id", std::int64_t{0}), scouts);
  EXPECT_TRUE(search("dave", "fox").empty());
  EXPECT_TRUE(search("bob", "elephant").empty());
  // Queries are words, not syntax: operators and quotes are harmless.
  for (std::string q : {"\"fox", "fox*", "NEAR(", "fox OR", "'); DROP TABLE messages; --", "ü"}) {
    SCOPED_TRACE(q);
    auto r = srv.http().get(test_server::api("/search?q=" + url_encode(q)), srv.token("bob"));
    EXPECT_TRUE(r.status == 200 || r.status == 400) << r;
    EXPECT_TRUE(r.status == 200 ? r.json().contains("results") : r.is_contract_error()) << r;
  }
  EXPECT_EQ(search("bob", "fox").size(), 1u);
}

TEST_F(messages_test, EventsPageOldestFirstWithLastSeq) {
  for (int i = 0; i < 5; ++i) send("bob", "e" + std::to_string(i));
  auto all = srv.events("alice", coaches);
  auto last = all.back()["seq"].get<std::int64_t>();
  auto r = srv.http().get(g("/events?after=" + std::to_string(last - 3) + "&limit=2"), srv.token("carol"));
  ASSERT_STATUS(r, 200);
  auto j = r.json();
  EXPECT_EQ(j.value("last_seq", std::int64_t{0}), last);
  ASSERT_EQ(j["events"].size(), 2u);
  EXPECT_EQ(j["events"][0]["seq"].get<std::int64_t>(), last - 2);
  EXPECT_EQ(j["events"][1]["seq"].get<std::int64_t>(), last - 1);
  auto tail = srv.http().get(g("/events?after=" + std::to_string(last)), srv.token("carol")).json();
  EXPECT_TRUE(tail["events"].empty());
}

}  // namespace
}  // namespace peerchat::test
