// SPDX-License-Identifier: MIT
// Mentions: computed by the server, carried in the message event (live, in /events, in
// history) and listed by GET /mentions.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class notifications_mentions_test : public coaches_test {
 protected:
  json mentions_of(std::string const& who, std::string const& query = "") {
    auto r = srv.http().get(test_server::api("/mentions" + query), srv.token(who));
    EXPECT_STATUS(r, 200);
    return r.json();
  }
  json ids(std::initializer_list<std::string> names) {
    json out = json::array();
    for (auto const& n : names) out.push_back(srv.id(n));
    return out;
  }
};

TEST_F(notifications_mentions_test, AMentionIsInTheEventLiveInEventsAndInHistory) {
  auto carol = srv.connect("carol");
  auto e = srv.send("bob", coaches, "@carol, can you take Tuesday? (@alice) cc x@carol.com @dave");
  EXPECT_EQ(e["mentions"], ids({"carol", "alice"})) << "dave is no member; an address is no mention";
  auto live = read_events(*carol, coaches, 1, 5s);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]["mentions"], ids({"carol", "alice"}));
  auto stored = srv.events("carol", coaches, e["seq"].get<std::int64_t>() - 1);
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored[0]["mentions"], ids({"carol", "alice"}));
  auto history = srv.http().get(test_server::api("/groups/" + std::to_string(coaches) + "/messages?limit=1"), srv.token("carol"));
  ASSERT_STATUS(history, 200);
  auto m = history.json()["messages"][0];
  EXPECT_EQ(m["seq"], e["seq"]);
  std::vector<std::int64_t> got = m["mentions"];
  std::sort(got.begin(), got.end());
  std::vector<std::int64_t> want{srv.id("alice"), srv.id("carol")};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(srv.send("bob", coaches, "no one here")["mentions"], json::array());
}

TEST_F(notifications_mentions_test, AllFromAnOwnerMentionsEveryoneFromAMemberNobody) {
  auto plain = srv.send("bob", coaches, "@all lunch?");
  EXPECT_EQ(plain["mentions"], json::array()) << "@all by a member is plain text";
  auto all = srv.send("alice", coaches, "@all: training moved to 7");
  std::vector<std::int64_t> got = all["mentions"];
  std::sort(got.begin(), got.end());
  std::vector<std::int64_t> want{srv.id("bob"), srv.id("carol")};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want) << "every member but the sender";
  srv.set_role("alice", coaches, "bob", "admin");
  EXPECT_EQ(srv.send("bob", coaches, "@ALL again")["mentions"].size(), 2u) << "an admin may";
}

TEST_F(notifications_mentions_test, GetMentionsListsNewestFirstFromCurrentGroupsOnly) {
  auto first = srv.send("alice", coaches, "@bob first");
  srv.send("alice", coaches, "not for bob");
  auto second = srv.send("carol", coaches, "and @Bob. second");
  auto page = mentions_of("bob");
  ASSERT_EQ(page["messages"].size(), 2u) << page;
  EXPECT_EQ(page["messages"][0]["seq"], second["seq"]);
  EXPECT_EQ(page["messages"][0]["group_id"], coaches);
  EXPECT_EQ(page["messages"][0]["body"], "and @Bob. second");
  EXPECT_EQ(page["messages"][1]["seq"], first["seq"]);
  EXPECT_TRUE(page["next_cursor"].is_null());
  EXPECT_TRUE(mentions_of("carol")["messages"].empty());
  EXPECT_TRUE(mentions_of("dave")["messages"].empty()) << "a non-member is never mentioned";

  // Deleted messages are left out; an edit recomputes the mentions.
  auto del = srv.http().del(test_server::api("/groups/" + std::to_string(coaches) + "/messages/" + first["seq"].dump()),
                            srv.token("alice"));
  ASSERT_STATUS(del, 204);
  auto edit = srv.http().patch(test_server::api("/groups/" + std::to_string(coaches) + "/messages/" + second["seq"].dump()),
                               {{"body", "and @alice second"}}, srv.token("carol"));
  ASSERT_STATUS(edit, 200);
  EXPECT_EQ(edit.json()["mentions"], ids({"alice"}));
  EXPECT_TRUE(mentions_of("bob")["messages"].empty());
  EXPECT_EQ(mentions_of("alice")["messages"].size(), 1u);

  // Leaving the group takes its mentions out of the list.
  srv.send("alice", coaches, "@carol hi");
  ASSERT_EQ(mentions_of("carol")["messages"].size(), 1u);
  ASSERT_STATUS(srv.http().del(test_server::api("/groups/" + std::to_string(coaches) + "/members/" +
                                                std::to_string(srv.id("carol"))), srv.token("carol")), 204);
  EXPECT_TRUE(mentions_of("carol")["messages"].empty());
}

TEST_F(notifications_mentions_test, GetMentionsPagesWithACursor) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 5; ++i) seqs.push_back(srv.send("alice", coaches, "@bob #" + std::to_string(i))["seq"].get<std::int64_t>());
  std::vector<std::int64_t> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = mentions_of("bob", "?limit=2" + (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    EXPECT_LE(page["messages"].size(), 2u);
    for (auto const& m : page["messages"]) seen.push_back(m["seq"].get<std::int64_t>());
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, std::vector<std::int64_t>(seqs.rbegin(), seqs.rend()));
  EXPECT_ERROR(srv.http().get(test_server::api("/mentions?cursor=garbage"), srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().get(test_server::api("/mentions?limit=0"), srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().get(test_server::api("/mentions")), 401, "unauthorized");
}

}  // namespace
}  // namespace peerchat::test
