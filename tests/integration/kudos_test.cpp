// SPDX-License-Identifier: MIT
// Kudos (docs/community.md "Kudos"): giving one makes a `kudos` event every member sees live
// and in the log; the wall lists them newest first with totals, this month (since), per
// member and in pages; kudos are for another member, optionally for one of their messages;
// the note is validated; a non-member learns nothing (404).
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class kudos_test : public coaches_test {
 protected:
  std::string path(std::int64_t g, std::string const& rest = {}) const {
    return test_server::api("/groups/" + std::to_string(g) + "/kudos" + rest);
  }
  http_response give(std::string const& by, json body, std::int64_t g = 0) {
    return srv.http().post(path(g ? g : coaches), body, srv.token(by));
  }
  json wall(std::string const& by, std::string const& query = {}) {
    auto r = srv.http().get(path(coaches, query), srv.token(by));
    EXPECT_STATUS(r, 200);
    return r.json();
  }
};

TEST_F(kudos_test, GivingKudosIsAnEventEveryMemberSeesAndItIsOnTheWall) {
  auto carol_ws = srv.connect("carol");
  auto r = give("bob", {{"user_id", srv.id("carol")}, {"note", "  Thanks for the warm-up plan!  "}});
  ASSERT_STATUS(r, 201);
  auto e = r.json();
  EXPECT_EQ(e.value("kind", ""), "kudos");
  EXPECT_EQ(e.value("from_user_id", 0), srv.id("bob"));
  EXPECT_EQ(e.value("user_id", 0), srv.id("carol"));
  EXPECT_EQ(e.value("note", ""), "Thanks for the warm-up plan!");  // trimmed
  EXPECT_FALSE(e.contains("target_seq"));

  auto live = carol_ws->read_until(event_kind("kudos", coaches), 5s);
  ASSERT_TRUE(live) << "carol saw no kudos event";
  EXPECT_EQ((*live)["seq"], e["seq"]);
  auto log = srv.events("alice", coaches);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back(), e);  // replays exactly as it was sent

  auto w = wall("alice");
  ASSERT_EQ(w["kudos"].size(), 1u) << w.dump();
  auto const& k = w["kudos"][0];
  EXPECT_EQ(k.value("seq", 0), e.value("seq", 0));
  EXPECT_EQ(k.value("from_user_id", 0), srv.id("bob"));
  EXPECT_EQ(k.value("from_display_name", ""), srv.user("bob").display_name);
  EXPECT_EQ(k.value("user_id", 0), srv.id("carol"));
  EXPECT_EQ(k.value("display_name", ""), srv.user("carol").display_name);
  EXPECT_EQ(k.value("note", ""), "Thanks for the warm-up plan!");
  ASSERT_EQ(w["totals"].size(), 1u);
  EXPECT_EQ(w["totals"][0].value("user_id", 0), srv.id("carol"));
  EXPECT_EQ(w["totals"][0].value("count", 0), 1);
  EXPECT_TRUE(w["next_cursor"].is_null());
}

TEST_F(kudos_test, KudosForAMessageNameItAndMustBeForItsAuthor) {
  auto carols = srv.send("carol", coaches, "Here is the drill I use on Mondays").value("seq", 0);
  auto bobs = srv.send("bob", coaches, "and mine").value("seq", 0);
  auto r = give("alice", {{"user_id", srv.id("carol")}, {"note", "Great drill"}, {"seq", carols}});
  ASSERT_STATUS(r, 201);
  EXPECT_EQ(r.json().value("target_seq", 0), carols);
  EXPECT_EQ(wall("bob")["kudos"][0].value("target_seq", 0), carols);

  // Bob's message is not Carol's; a seq that is no message; a deleted message.
  EXPECT_ERROR(give("alice", {{"user_id", srv.id("carol")}, {"note", "x"}, {"seq", bobs}}), 400, "bad_request");
  EXPECT_ERROR(give("alice", {{"user_id", srv.id("carol")}, {"note", "x"}, {"seq", 9999}}), 400, "bad_request");
  ASSERT_STATUS(srv.http().del(test_server::api("/groups/" + std::to_string(coaches) + "/messages/" + std::to_string(bobs)),
                               srv.token("bob")), 204);
  EXPECT_ERROR(give("alice", {{"user_id", srv.id("bob")}, {"note", "x"}, {"seq", bobs}}), 400, "bad_request");
}

TEST_F(kudos_test, KudosAreForAnotherMemberWithAShortNote) {
  EXPECT_ERROR(give("bob", {{"user_id", srv.id("bob")}, {"note", "me!"}}), 400, "bad_request");
  EXPECT_ERROR(give("bob", {{"user_id", srv.id("dave")}, {"note", "not here"}}), 400, "bad_request");
  EXPECT_ERROR(give("bob", {{"user_id", 0}, {"note", "nobody"}}), 400, "bad_request");
  EXPECT_ERROR(give("bob", {{"user_id", srv.id("carol")}, {"note", "   "}}), 400, "bad_request");
  EXPECT_ERROR(give("bob", {{"user_id", srv.id("carol")}, {"note", repeat("é", 281)}}), 400, "bad_request");
  EXPECT_ERROR(give("bob", {{"user_id", srv.id("carol")}}), 400, "bad_request");
  EXPECT_STATUS(give("bob", {{"user_id", srv.id("carol")}, {"note", repeat("é", 280)}}), 201);
  EXPECT_EQ(wall("bob")["kudos"].size(), 1u);  // only the valid one was stored
}

TEST_F(kudos_test, ItsGiverWithdrawsAKudosAndItsNoteIsErased) {
  auto bob_ws = srv.connect("bob");
  auto given = give("carol", {{"user_id", srv.id("bob")}, {"note", "for the wrong person"}});
  ASSERT_STATUS(given, 201);
  auto id = given.json()["kudos_id"].get<std::int64_t>();
  auto seq = given.json()["seq"].get<std::int64_t>();
  auto one = "/" + std::to_string(id);

  // The receiver is a plain member: not theirs to remove.
  EXPECT_ERROR(srv.http().del(path(coaches, one), srv.token("bob")), 403, "forbidden");
  EXPECT_ERROR(srv.http().del(path(coaches, one), srv.token("dave")), 404, "not_found");
  EXPECT_ERROR(srv.http().del(path(coaches, "/987654"), srv.token("carol")), 404, "not_found");
  ASSERT_STATUS(srv.http().del(path(coaches, one), srv.token("carol")), 204);
  EXPECT_ERROR(srv.http().del(path(coaches, one), srv.token("carol")), 404, "not_found");  // already gone

  auto removed = bob_ws->read_until(event_kind("kudos_removed", coaches), 5s);
  ASSERT_TRUE(removed) << "bob saw no kudos_removed event";
  EXPECT_EQ((*removed)["target_seq"], seq);
  EXPECT_EQ((*removed)["kudos_id"], id);
  EXPECT_TRUE(wall("bob")["kudos"].empty());
  EXPECT_TRUE(wall("bob")["totals"].empty());
  for (auto const& e : srv.events("bob", coaches)) {
    EXPECT_EQ(e.dump().find("wrong person"), std::string::npos) << e;
    if (e["seq"] == seq) {
      EXPECT_EQ(e.value("deleted", false), true) << e;
    }
  }
}

TEST_F(kudos_test, AnOwnerRemovesAnyonesKudos) {
  auto given = give("carol", {{"user_id", srv.id("bob")}, {"note", "an inside joke too far"}});
  ASSERT_STATUS(given, 201);
  auto one = "/" + std::to_string(given.json()["kudos_id"].get<std::int64_t>());
  ASSERT_STATUS(srv.http().del(path(coaches, one), srv.token("alice")), 204);  // alice owns coaches
  EXPECT_TRUE(wall("carol")["kudos"].empty());
}

TEST_F(kudos_test, ANonMemberGetsNotFoundAndLearnsNothing) {
  ASSERT_STATUS(give("bob", {{"user_id", srv.id("carol")}, {"note", "thanks"}}), 201);
  EXPECT_ERROR(give("dave", {{"user_id", srv.id("carol")}, {"note", "hi"}}), 404, "not_found");
  EXPECT_ERROR(srv.http().get(path(coaches), srv.token("dave")), 404, "not_found");
  EXPECT_ERROR(srv.http().get(path(987654), srv.token("alice")), 404, "not_found");
  EXPECT_ERROR(srv.http().get(path(coaches)), 401, "unauthorized");
}

TEST_F(kudos_test, TheWallFiltersByTimeAndMemberAndPages) {
  for (int i = 0; i < 3; ++i) ASSERT_STATUS(give("bob", {{"user_id", srv.id("carol")}, {"note", "c" + std::to_string(i)}}), 201);
  ASSERT_STATUS(give("carol", {{"user_id", srv.id("alice")}, {"note", "a0"}}), 201);

  auto all = wall("alice");
  ASSERT_EQ(all["kudos"].size(), 4u);
  EXPECT_EQ(all["kudos"][0].value("note", ""), "a0");  // newest first
  ASSERT_EQ(all["totals"].size(), 2u);
  EXPECT_EQ(all["totals"][0].value("user_id", 0), srv.id("carol"));  // most first
  EXPECT_EQ(all["totals"][0].value("count", 0), 3);
  EXPECT_EQ(all["totals"][1].value("count", 0), 1);

  auto carols = wall("bob", "?user_id=" + std::to_string(srv.id("carol")));
  EXPECT_EQ(carols["kudos"].size(), 3u);
  ASSERT_EQ(carols["totals"].size(), 1u);
  EXPECT_EQ(carols["totals"][0].value("count", 0), 3);

  // since: a time after all of them lists none; the first one's time lists all.
  std::int64_t last_ts = all["kudos"][0].value("ts", std::int64_t{0});
  EXPECT_TRUE(wall("bob", "?since=" + std::to_string(last_ts + 1))["kudos"].empty());
  EXPECT_TRUE(wall("bob", "?since=" + std::to_string(last_ts + 1))["totals"].empty());
  std::int64_t first_ts = all["kudos"][3].value("ts", std::int64_t{0});
  EXPECT_EQ(wall("bob", "?since=" + std::to_string(first_ts))["kudos"].size(), 4u);

  // Pages of 3: the second page holds the oldest one, and no further cursor.
  auto first = wall("bob", "?limit=3");
  ASSERT_EQ(first["kudos"].size(), 3u);
  ASSERT_TRUE(first["next_cursor"].is_string()) << first.dump();
  auto second = wall("bob", "?limit=3&cursor=" + first["next_cursor"].get<std::string>());
  ASSERT_EQ(second["kudos"].size(), 1u);
  EXPECT_EQ(second["kudos"][0].value("note", ""), "c0");
  EXPECT_TRUE(second["next_cursor"].is_null());
  EXPECT_EQ(second["totals"][0].value("count", 0), 3);  // totals cover the whole range, not the page

  EXPECT_ERROR(srv.http().get(path(coaches, "?limit=0"), srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().get(path(coaches, "?cursor=abc"), srv.token("bob")), 400, "bad_request");
}

}  // namespace
}  // namespace peerchat::test
