// SPDX-License-Identifier: MIT
// Groups as their members see them: the list, the member roster with roles, renaming,
// topics, role changes, removal and leaving.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

class groups_test : public coaches_test {
 protected:
  std::string g(std::string const& rest = {}) const {
    return test_server::api("/groups/" + std::to_string(coaches) + rest);
  }
  std::string member(std::string const& username) { return g("/members/" + std::to_string(srv.id(username))); }

  json roster_entry(std::string const& viewer, std::string const& username) {
    for (auto whole = srv.group(viewer, coaches); auto const& m : whole["members"])
      if (m.value("username", "") == username) return m;
    return nullptr;
  }

  // The newest event of a kind in the group's log.
  json last_event(std::string const& kind) {
    json found;
    for (auto const& e : srv.events("alice", coaches))
      if (e.value("kind", "") == kind) found = e;
    return found;
  }

  bool lists_coaches(std::string const& username) {
    auto r = srv.http().get(test_server::api("/groups"), srv.token(username));
    for (auto whole = r.json(); auto const& gr : whole["groups"])
      if (gr.value("id", std::int64_t{0}) == coaches) return true;
    return false;
  }
};

TEST_F(groups_test, CreatingAGroupMakesTheCreatorItsOwner) {
  auto r = srv.http().post(test_server::api("/groups"), {{"name", "scouts"}, {"topic", "Saturday games"}},
                           srv.token("alice"));
  ASSERT_STATUS(r, 201);
  auto j = r.json();
  EXPECT_GT(j.value("id", std::int64_t{0}), 0);
  EXPECT_EQ(j.value("name", ""), "scouts");
  EXPECT_EQ(j.value("topic", ""), "Saturday games");
  auto scouts = srv.group("alice", j["id"].get<std::int64_t>());
  ASSERT_EQ(scouts["members"].size(), 1u) << scouts.dump();
  EXPECT_EQ(scouts["members"][0].value("role", ""), "owner");
  // Topic is optional.
  auto plain = srv.http().post(test_server::api("/groups"), {{"name", "plain"}}, srv.token("alice"));
  ASSERT_STATUS(plain, 201);
  EXPECT_EQ(plain.json().value("topic", "?"), "");
}

TEST_F(groups_test, TheListShowsEachGroupWithRoleAndCounters) {
  srv.create_group("alice", "scouts");
  auto r = srv.http().get(test_server::api("/groups"), srv.token("alice"));
  ASSERT_STATUS(r, 200);
  auto groups = r.json()["groups"];
  ASSERT_EQ(groups.size(), 2u) << r;
  for (auto const& gr : groups) {
    for (auto key : {"id", "name", "topic", "role", "last_seq", "last_read_seq", "unread"})
      EXPECT_TRUE(gr.contains(key)) << key << " missing in " << gr.dump();
    EXPECT_EQ(gr.value("role", ""), "owner");
  }
  auto bobs = srv.http().get(test_server::api("/groups"), srv.token("bob")).json()["groups"];
  ASSERT_EQ(bobs.size(), 1u);
  EXPECT_EQ(bobs[0].value("id", std::int64_t{0}), coaches);
  EXPECT_EQ(bobs[0].value("name", ""), "coaches");
  EXPECT_EQ(bobs[0].value("topic", ""), "Weekly planning");
  EXPECT_EQ(bobs[0].value("role", ""), "member");
}

TEST_F(groups_test, TheGroupShowsItsMembersWithRoles) {
  auto r = srv.http().get(g(), srv.token("bob"));
  ASSERT_STATUS(r, 200);
  auto j = r.json();
  EXPECT_EQ(j.value("id", std::int64_t{0}), coaches);
  EXPECT_EQ(j.value("name", ""), "coaches");
  EXPECT_EQ(j.value("topic", ""), "Weekly planning");
  ASSERT_EQ(j["members"].size(), 3u) << r;
  std::map<std::string, std::string> roles;
  for (auto const& m : j["members"]) {
    EXPECT_EQ(keys_of(m), (std::vector<std::string>{"about", "avatar", "display_name", "last_read_seq", "online", "role", "user_id", "username"}))
        << m.dump();
    EXPECT_EQ(m.value("online", true), false) << "nobody is connected: " << m.dump();
    roles[m.value("username", "")] = m.value("role", "");
    if (m.value("username", "") == "carol") {
      EXPECT_EQ(m.value("display_name", ""), "Carol");
      EXPECT_EQ(m.value("user_id", std::int64_t{0}), srv.id("carol"));
    }
  }
  EXPECT_EQ(roles, (std::map<std::string, std::string>{{"alice", "owner"}, {"bob", "member"}, {"carol", "member"}}));
}

TEST_F(groups_test, OwnerRenamesAndSetsTheTopic) {
  auto r = srv.http().patch(g(), {{"name", "coaches 2026"}}, srv.token("alice"));
  ASSERT_STATUS(r, 200);
  auto group = srv.group("bob", coaches);
  EXPECT_EQ(group.value("name", ""), "coaches 2026");
  EXPECT_EQ(group.value("topic", ""), "Weekly planning") << "a rename keeps the topic";
  auto updated = last_event("group_updated");
  ASSERT_FALSE(updated.is_null());
  EXPECT_EQ(updated.value("name", ""), "coaches 2026");
  EXPECT_EQ(updated.value("topic", ""), "Weekly planning");

  ASSERT_STATUS(srv.http().patch(g(), {{"topic", "Match day on Sunday"}}, srv.token("alice")), 200);
  group = srv.group("carol", coaches);
  EXPECT_EQ(group.value("name", ""), "coaches 2026");
  EXPECT_EQ(group.value("topic", ""), "Match day on Sunday");
  EXPECT_EQ(last_event("group_updated").value("topic", ""), "Match day on Sunday");
  // Clearing the topic is allowed; an empty or too long name is not.
  EXPECT_STATUS(srv.http().patch(g(), {{"topic", ""}}, srv.token("alice")), 200);
  EXPECT_ERROR(srv.http().patch(g(), {{"name", ""}}, srv.token("alice")), 400, "bad_request");
  EXPECT_ERROR(srv.http().patch(g(), {{"name", std::string(81, 'n')}}, srv.token("alice")), 400, "bad_request");
  EXPECT_EQ(srv.group("alice", coaches).value("name", ""), "coaches 2026");
}

TEST_F(groups_test, OwnerChangesRoles) {
  auto r = srv.http().patch(member("bob"), {{"role", "admin"}}, srv.token("alice"));
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(roster_entry("carol", "bob").value("role", ""), "admin");
  auto changed = last_event("role_changed");
  ASSERT_FALSE(changed.is_null());
  EXPECT_EQ(changed.value("user_id", std::int64_t{0}), srv.id("bob"));
  EXPECT_EQ(changed.value("role", ""), "admin");
  // The new admin may now rename, but still not change roles.
  EXPECT_STATUS(srv.http().patch(g(), {{"topic", "by bob"}}, srv.token("bob")), 200);
  EXPECT_ERROR(srv.http().patch(member("carol"), {{"role", "admin"}}, srv.token("bob")), 403, "forbidden");
  // And back.
  ASSERT_STATUS(srv.http().patch(member("bob"), {{"role", "member"}}, srv.token("alice")), 200);
  EXPECT_EQ(roster_entry("alice", "bob").value("role", ""), "member");
  EXPECT_ERROR(srv.http().patch(g(), {{"topic", "by bob again"}}, srv.token("bob")), 403, "forbidden");
  // Only the three roles exist, and only members have one.
  EXPECT_ERROR(srv.http().patch(member("carol"), {{"role", "king"}}, srv.token("alice")), 400, "bad_request");
  EXPECT_ERROR(srv.http().patch(member("carol"), {{"role", 1}}, srv.token("alice")), 400, "bad_request");
  EXPECT_EQ(srv.http().patch(member("dave"), {{"role", "admin"}}, srv.token("alice")).status, 404);
}

TEST_F(groups_test, RemovingAMemberTakesTheGroupAwayFromThem) {
  ASSERT_TRUE(lists_coaches("carol"));
  auto r = srv.http().del(member("carol"), srv.token("alice"));
  EXPECT_STATUS(r, 204);
  EXPECT_TRUE(roster_entry("alice", "carol").is_null());
  EXPECT_FALSE(lists_coaches("carol"));
  EXPECT_ERROR(srv.http().get(g(), srv.token("carol")), 404, "not_found");
  EXPECT_ERROR(srv.http().get(g("/messages"), srv.token("carol")), 404, "not_found");
  EXPECT_ERROR(srv.http().post(g("/messages"), {{"body", "still here?"}, {"client_msg_id", "x"}}, srv.token("carol")),
               404, "not_found");
  auto removed = last_event("member_removed");
  ASSERT_FALSE(removed.is_null());
  EXPECT_EQ(removed.value("user_id", std::int64_t{0}), srv.id("carol"));
  // Removing someone who is no longer there.
  EXPECT_EQ(srv.http().del(member("carol"), srv.token("alice")).status, 404);
}

TEST_F(groups_test, AnyoneLeaves) {
  auto r = srv.http().del(member("bob"), srv.token("bob"));
  EXPECT_STATUS(r, 204);
  EXPECT_FALSE(lists_coaches("bob"));
  EXPECT_ERROR(srv.http().get(g(), srv.token("bob")), 404, "not_found");
  auto left = last_event("member_left");
  ASSERT_FALSE(left.is_null());
  EXPECT_EQ(left.value("user_id", std::int64_t{0}), srv.id("bob"));
  EXPECT_EQ(srv.group("alice", coaches)["members"].size(), 2u);
  // Someone who left can come back through a new invite.
  srv.join("bob", coaches);
  EXPECT_EQ(roster_entry("alice", "bob").value("role", ""), "member");
}

TEST_F(groups_test, MembershipChangesAreEventsInTheLog) {
  auto events = srv.events("alice", coaches);
  ASSERT_FALSE(events.empty());
  std::int64_t expected = 1;
  for (auto const& e : events) {
    EXPECT_EQ(e.value("type", ""), "event") << e.dump();
    EXPECT_EQ(e.value("group_id", std::int64_t{0}), coaches) << e.dump();
    EXPECT_EQ(e.value("seq", std::int64_t{0}), expected++) << e.dump();
    EXPECT_GT(e.value("ts", std::int64_t{0}), 0) << e.dump();
  }
  int joins = 0;
  for (auto const& e : events)
    if (e.value("kind", "") == "member_joined") ++joins;
  EXPECT_GE(joins, 2) << "bob and carol joined through invites";
  auto page = srv.http().get(g("/events?after=0"), srv.token("bob"));
  ASSERT_STATUS(page, 200);
  EXPECT_EQ(page.json().value("last_seq", std::int64_t{0}), events.back().value("seq", std::int64_t{-1}));
}

}  // namespace
}  // namespace peerchat::test
