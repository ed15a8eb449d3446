// SPDX-License-Identifier: MIT
// Polls (docs/community.md "Polls") through the real server: create, vote, change a vote,
// close (its author, an owner or an admin; 403 for other members), closing at closes_at,
// validation, 404 for non-members; and anonymous polls, checked in the API answers, on a
// WebSocket, in /events and in the database rows: no voter can be linked to a choice.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class polls_test : public coaches_test {
 protected:
  std::string path(std::string const& rest = {}, std::int64_t g = 0) const {
    return test_server::api("/groups/" + std::to_string(g ? g : coaches) + "/polls" + rest);
  }
  static std::string of(std::int64_t poll, std::string const& rest = {}) { return "/" + std::to_string(poll) + rest; }

  http_response create(std::string const& by, json body) { return srv.http().post(path(), body, srv.token(by)); }
  std::int64_t create_ok(std::string const& by, json body) {
    auto r = create(by, std::move(body));
    EXPECT_STATUS(r, 201);
    return r.json().value("poll_id", std::int64_t{0});
  }
  http_response vote(std::string const& by, std::int64_t poll, json options) {
    return srv.http().request(http::verb::put, path(of(poll, "/vote")), json{{"options", options}}, {srv.token(by)});
  }
  http_response close(std::string const& by, std::int64_t poll) {
    return srv.http().post(path(of(poll, "/close")), json::object(), srv.token(by));
  }
  json get(std::string const& by, std::int64_t poll) {
    auto r = srv.http().get(path(of(poll)), srv.token(by));
    EXPECT_STATUS(r, 200);
    return r.json();
  }

  // Every row of a query on the server's database file, columns as text ("<null>" for NULL).
  std::vector<std::vector<std::string>> rows(std::string const& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((srv.data_dir() / "peerchat.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open the database";
      sqlite3_close(db);
      return out;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db) << ": " << sql;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        auto const* t = reinterpret_cast<char const*>(sqlite3_column_text(st, c));
        row.push_back(t ? t : "<null>");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  json three_options(bool anonymous = false, bool multiple = false) {
    return {{"question", "Which drill next week?"}, {"options", {"Rondo", "Shooting", "Pressing"}},
            {"multiple", multiple}, {"anonymous", anonymous}};
  }
};

TEST_F(polls_test, APollIsAnEventAndVotesAreLiveWithTheVoter) {
  auto carol_ws = srv.connect("carol");
  auto r = create("bob", three_options());
  ASSERT_STATUS(r, 201);
  auto e = r.json();
  EXPECT_EQ(e.value("kind", ""), "poll");
  auto poll = e.value("poll_id", std::int64_t{0});
  EXPECT_GT(poll, 0);
  EXPECT_EQ(e["options"], json({"Rondo", "Shooting", "Pressing"}));
  EXPECT_EQ(e.value("multiple", true), false);
  EXPECT_EQ(e.value("anonymous", true), false);
  EXPECT_TRUE(e["closes_at"].is_null());
  EXPECT_EQ(e.value("user_id", 0), srv.id("bob"));
  ASSERT_TRUE(carol_ws->read_until(event_kind("poll", coaches), 5s));

  auto v = vote("alice", poll, {1});
  ASSERT_STATUS(v, 200);
  EXPECT_EQ(v.json()["counts"], json({0, 1, 0}));
  EXPECT_EQ(v.json()["my_vote"], json({{"voted", true}, {"options", {1}}}));
  auto voted = carol_ws->read_until(event_kind("poll_voted", coaches), 5s);
  ASSERT_TRUE(voted);
  EXPECT_EQ((*voted)["counts"], json({0, 1, 0}));
  EXPECT_EQ((*voted).value("user_id", 0), srv.id("alice"));
  EXPECT_EQ((*voted)["options"], json({1}));
  EXPECT_EQ((*voted).value("voters", 0), 1);

  // A changed vote moves the count; an empty list withdraws it.
  ASSERT_STATUS(vote("alice", poll, {2}), 200);
  ASSERT_STATUS(vote("carol", poll, {2}), 200);
  auto g = get("bob", poll);
  EXPECT_EQ(g["counts"], json({0, 0, 2}));
  EXPECT_EQ(g.value("voters", 0), 2);
  EXPECT_EQ(g["my_vote"], json({{"voted", false}}));
  ASSERT_EQ(g["votes"].size(), 2u) << g.dump();
  ASSERT_STATUS(vote("alice", poll, json::array()), 200);
  g = get("bob", poll);
  EXPECT_EQ(g["counts"], json({0, 0, 1}));
  EXPECT_EQ(g.value("voters", 0), 1);

  // Single choice: one option at a time; indexes must exist and not repeat.
  EXPECT_ERROR(vote("bob", poll, {0, 1}), 400, "bad_request");
  EXPECT_ERROR(vote("bob", poll, {3}), 400, "bad_request");
  EXPECT_ERROR(vote("bob", poll, {-1}), 400, "bad_request");
  EXPECT_ERROR(vote("bob", poll, {"0"}), 400, "bad_request");
  EXPECT_EQ(get("bob", poll)["counts"], json({0, 0, 1}));
}

TEST_F(polls_test, MultipleChoiceCountsEachChosenOption) {
  auto poll = create_ok("alice", three_options(false, true));
  ASSERT_STATUS(vote("bob", poll, {0, 2}), 200);
  ASSERT_STATUS(vote("carol", poll, {2}), 200);
  auto g = get("alice", poll);
  EXPECT_EQ(g["counts"], json({1, 0, 2}));
  EXPECT_EQ(g.value("voters", 0), 2);
  EXPECT_ERROR(vote("bob", poll, {0, 0}), 400, "bad_request");
}

TEST_F(polls_test, OnlyItsAuthorOrAnOwnerOrAdminClosesAPoll) {
  srv.create_user("erin");
  srv.join("erin", coaches);
  srv.set_role("alice", coaches, "erin", "admin");
  auto by_bob = create_ok("bob", three_options());
  EXPECT_ERROR(close("carol", by_bob), 403, "forbidden");
  EXPECT_FALSE(get("carol", by_bob).value("closed", true));
  ASSERT_STATUS(vote("carol", by_bob, {0}), 200);

  auto ws = srv.connect("carol");
  auto r = close("bob", by_bob);  // the author
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(r.json().value("kind", ""), "poll_closed");
  EXPECT_EQ(r.json()["counts"], json({1, 0, 0}));
  EXPECT_EQ(r.json().value("user_id", 0), srv.id("bob"));
  auto closed = ws->read_until(event_kind("poll_closed", coaches), 5s);
  ASSERT_TRUE(closed);
  EXPECT_EQ((*closed)["counts"], json({1, 0, 0}));
  EXPECT_TRUE(get("carol", by_bob).value("closed", false));
  EXPECT_ERROR(close("bob", by_bob), 409, "conflict");
  EXPECT_ERROR(vote("alice", by_bob, {1}), 409, "conflict");
  EXPECT_EQ(get("alice", by_bob)["counts"], json({1, 0, 0}));

  EXPECT_STATUS(close("alice", create_ok("bob", three_options())), 200);  // the owner
  EXPECT_STATUS(close("erin", create_ok("bob", three_options())), 200);   // an admin
}

TEST_F(polls_test, APollClosesByItselfAtItsClosingTime) {
  auto ws = srv.connect("bob");
  auto closes_at = now_ms() + 1500;
  auto poll = create_ok("alice", {{"question", "Start at 9?"}, {"options", {"yes", "no"}}, {"closes_at", closes_at}});
  ASSERT_STATUS(vote("bob", poll, {0}), 200);
  auto closed = ws->read_until(event_kind("poll_closed", coaches), 10s);
  ASSERT_TRUE(closed) << "the poll did not close at its time";
  EXPECT_EQ((*closed)["counts"], json({1, 0}));
  EXPECT_FALSE(closed->contains("user_id"));  // nobody closed it: the clock did
  EXPECT_GE((*closed).value("ts", std::int64_t{0}), closes_at);
  auto g = get("carol", poll);
  EXPECT_TRUE(g.value("closed", false));
  EXPECT_EQ(g.value("closed_at", std::int64_t{0}), closes_at);
  EXPECT_ERROR(vote("carol", poll, {1}), 409, "conflict");
}

TEST_F(polls_test, AnonymousPollsLeakNoVoterInAnswersEventsOrDatabase) {
  auto alice_ws = srv.connect("alice");
  auto poll = create_ok("alice", three_options(true));
  ASSERT_TRUE(alice_ws->read_until(event_kind("poll", coaches), 5s));

  auto b = vote("bob", poll, {0});
  ASSERT_STATUS(b, 200);
  auto c = vote("carol", poll, {2});
  ASSERT_STATUS(c, 200);
  for (auto const* answer : {&b, &c}) {
    auto j = answer->json();
    EXPECT_FALSE(j.contains("votes")) << j.dump();
    EXPECT_EQ(j["my_vote"], json({{"voted", true}})) << j.dump();  // the choice is not kept
  }
  // Votes are final.
  EXPECT_ERROR(vote("bob", poll, {1}), 409, "conflict");
  EXPECT_ERROR(vote("bob", poll, json::array()), 400, "bad_request");

  // The counts come in one coalesced event, with no user, a few seconds later at most.
  auto counted = alice_ws->read_until(
      [&](json const& f) { return f.value("kind", "") == "poll_voted" && f.value("voters", 0) == 2; }, 10s);
  ASSERT_TRUE(counted) << "no coalesced count event";
  EXPECT_EQ((*counted)["counts"], json({1, 0, 1}));
  EXPECT_EQ(keys_of(*counted), (std::vector<std::string>{"counts", "group_id", "kind", "poll_id", "seq", "ts", "type", "voters"}));

  auto g = get("alice", poll);
  EXPECT_EQ(g["counts"], json({1, 0, 1}));
  EXPECT_FALSE(g.contains("votes"));
  EXPECT_EQ(g["my_vote"], json({{"voted", false}}));

  // The log as anyone reads it: no poll_voted names a user, none has an actor.
  for (auto const& e : srv.events("carol", coaches))
    if (e.value("kind", "") == "poll_voted") {
      EXPECT_FALSE(e.contains("user_id")) << e.dump();
      EXPECT_FALSE(e.contains("options")) << e.dump();
    }
  auto close_r = close("alice", poll);
  ASSERT_STATUS(close_r, 200);
  EXPECT_EQ(close_r.json()["counts"], json({1, 0, 1}));

  // The database: who voted, but never what; no per-vote time or row order to match.
  auto voters = rows("SELECT user_id, options FROM poll_voters WHERE poll_id = " + std::to_string(poll));
  ASSERT_EQ(voters.size(), 2u);
  for (auto const& row : voters) EXPECT_EQ(row.at(1), "<null>");
  auto events = rows("SELECT actor_id, data FROM events WHERE kind = 'poll_voted'");
  ASSERT_FALSE(events.empty());
  for (auto const& row : events) {
    EXPECT_EQ(row.at(0), "<null>");
    EXPECT_EQ(row.at(1).find("user_id"), std::string::npos) << row.at(1);
  }
  // No table holds a row that names bob next to the poll apart from the list of voters.
  auto tables = rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'poll%'");
  std::set<std::string> names;
  for (auto const& t : tables) names.insert(t.at(0));
  EXPECT_EQ(names, (std::set<std::string>{"poll_options", "poll_voters", "polls"}));
  auto schema = rows("SELECT sql FROM sqlite_master WHERE name = 'poll_voters'");
  ASSERT_EQ(schema.size(), 1u);
  EXPECT_NE(schema[0][0].find("WITHOUT ROWID"), std::string::npos);
}

TEST_F(polls_test, BadPollsAreRefusedAndCostNothing) {
  auto base = three_options();
  auto with = [&](char const* key, json value) {
    auto b = base;
    b[key] = std::move(value);
    return b;
  };
  EXPECT_ERROR(create("bob", with("options", {"only one"})), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("options", json::array({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}))), 400,
               "bad_request");
  EXPECT_ERROR(create("bob", with("options", {"same", " same "})), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("options", {"fine", ""})), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("options", {"fine", repeat("x", 101)})), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("options", {"fine", 3})), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("question", "")), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("question", repeat("q", 301))), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("multiple", "yes")), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("closes_at", now_ms() - 1000)), 400, "bad_request");
  EXPECT_ERROR(create("bob", with("closes_at", now_ms() + 400LL * 24 * 3600 * 1000)), 400, "bad_request");
  auto list = srv.http().get(path(), srv.token("bob"));
  ASSERT_STATUS(list, 200);
  EXPECT_TRUE(list.json()["polls"].empty());
}

TEST_F(polls_test, NonMembersGetNotFoundForEveryPollRoute) {
  auto poll = create_ok("alice", three_options());
  EXPECT_ERROR(create("dave", three_options()), 404, "not_found");
  EXPECT_ERROR(vote("dave", poll, {0}), 404, "not_found");
  EXPECT_ERROR(close("dave", poll), 404, "not_found");
  EXPECT_ERROR(srv.http().get(path(of(poll)), srv.token("dave")), 404, "not_found");
  EXPECT_ERROR(srv.http().get(path(), srv.token("dave")), 404, "not_found");
  // A poll of another group is not found through this one.
  auto other = srv.create_group("alice", "other");
  srv.join("dave", other);
  EXPECT_ERROR(srv.http().get(path(of(poll), other), srv.token("dave")), 404, "not_found");
  EXPECT_ERROR(vote("bob", 424242, {0}), 404, "not_found");
  EXPECT_ERROR(srv.http().get(path("/abc"), srv.token("bob")), 404, "not_found");
}

TEST_F(polls_test, TheListShowsOpenAndClosedPollsNewestFirstInPages) {
  auto first = create_ok("alice", three_options());
  auto second = create_ok("bob", three_options());
  auto third = create_ok("carol", three_options());
  ASSERT_STATUS(close("alice", first), 200);
  auto all = srv.http().get(path(), srv.token("bob")).json();
  ASSERT_EQ(all["polls"].size(), 3u);
  EXPECT_EQ(all["polls"][0].value("id", 0), third);
  auto open = srv.http().get(path("?state=open"), srv.token("bob")).json();
  ASSERT_EQ(open["polls"].size(), 2u);
  auto closed = srv.http().get(path("?state=closed"), srv.token("bob")).json();
  ASSERT_EQ(closed["polls"].size(), 1u);
  EXPECT_EQ(closed["polls"][0].value("id", 0), first);
  auto page = srv.http().get(path("?limit=2"), srv.token("bob")).json();
  ASSERT_EQ(page["polls"].size(), 2u);
  ASSERT_TRUE(page["next_cursor"].is_string());
  auto rest = srv.http().get(path("?limit=2&cursor=" + page["next_cursor"].get<std::string>()), srv.token("bob")).json();
  ASSERT_EQ(rest["polls"].size(), 1u);
  EXPECT_EQ(rest["polls"][0].value("id", 0), first);
  EXPECT_TRUE(rest["next_cursor"].is_null());
  EXPECT_EQ(second, page["polls"][1].value("id", 0));
  EXPECT_ERROR(srv.http().get(path("?state=maybe"), srv.token("bob")), 400, "bad_request");
}

}  // namespace
}  // namespace peerchat::test
