// SPDX-License-Identifier: MIT
// Groups and members: who may create, see, rename, change roles, remove and leave.
#include "fixture.hpp"

namespace peerchat::unit {
namespace {

class Groups : public service_fixture {
 protected:
  // The kinds and subjects of the group's events after `after`, as alice reads them.
  std::vector<std::string> kinds_after(group_id g, seq_t after) {
    std::vector<std::string> out;
    for (auto const& e : events_of(g, alice, after)) out.push_back(e.at("kind").get<std::string>());
    return out;
  }
  json last_event(group_id g, principal const& who) {
    auto all = events_of(g, who);
    if (all.empty()) throw std::runtime_error("no events");
    return all.back();
  }
  std::optional<group_summary> summary_in_list(principal const& who, group_id g) {
    for (auto const& s : must(groups().list(who), "list"))
      if (s.group.id == g) return s;
    return std::nullopt;
  }
  role role_in(group_id g, principal const& who) {
    for (auto const& m : must(groups().get(alice, g), "get").members)
      if (m.user == who.user.id) return m.role;
    throw std::runtime_error(who.user.username + " is not a member");
  }
};

// ---- create ------------------------------------------------------------------------------

TEST_F(Groups, OnlyServerAdminsCreateGroups) {
  EXPECT_ERRC(groups().create(bob, "bob's club", ""), forbidden);
  EXPECT_EQ(query_int("SELECT count(*) FROM groups"), 0);
  EXPECT_OK(groups().create(alice, "coaches", ""));
}

TEST_F(Groups, CreatorIsTheOwner) {
  auto created = groups().create(alice, "  coaches  ", " who trains whom ");
  ASSERT_OK(created);
  EXPECT_EQ(created->group.name, "coaches");  // trimmed
  EXPECT_EQ(created->group.topic, "who trains whom");
  EXPECT_EQ(created->role, role::owner);
  EXPECT_EQ(created->group.last_seq, 1);  // the creator's member_joined
  EXPECT_EQ(created->group.created_at, clock.now());

  auto detail = must(groups().get(alice, created->group.id));
  ASSERT_EQ(detail.members.size(), 1u);
  EXPECT_EQ(detail.members[0].user, alice.user.id);
  EXPECT_EQ(detail.members[0].username, "alice");
  EXPECT_EQ(detail.members[0].display_name, "Alice Adams");
  EXPECT_EQ(detail.members[0].role, role::owner);
  ASSERT_EQ(detail.online.size(), 1u);  // beside members; offline without a live hub
  EXPECT_FALSE(detail.online[0]);

  auto joined = last_event(created->group.id, alice);
  EXPECT_EQ(joined.at("kind"), "member_joined");
  EXPECT_EQ(joined.at("user_id"), raw(alice.user.id));
  EXPECT_EQ(joined.at("role"), "owner");
  EXPECT_EQ(joined.at("seq"), 1);
}

TEST_F(Groups, NameAndTopicRules) {
  EXPECT_ERRC(groups().create(alice, "", ""), bad_request);
  EXPECT_ERRC(groups().create(alice, "   ", ""), bad_request);
  EXPECT_ERRC(groups().create(alice, std::string(81, 'n'), ""), bad_request);
  EXPECT_ERRC(groups().create(alice, "bad\x01name", ""), bad_request);
  EXPECT_ERRC(groups().create(alice, "\xc3", ""), bad_request);
  EXPECT_ERRC(groups().create(alice, "coaches", std::string(501, 't')), bad_request);
  EXPECT_EQ(query_int("SELECT count(*) FROM groups"), 0);
  EXPECT_OK(groups().create(alice, std::string(80, 'n'), std::string(500, 't')));
}

TEST_F(Groups, OnlineComesFromTheLiveHook) {
  auto g = create_coaches();
  join(g, bob);
  ctx().hooks.is_online = [&](user_id u) { return u == bob.user.id; };
  auto detail = must(groups().get(alice, g));
  ASSERT_EQ(detail.members.size(), 2u);
  for (std::size_t i = 0; i < detail.members.size(); ++i)
    EXPECT_EQ(detail.online[i], detail.members[i].user == bob.user.id) << detail.members[i].username;
}

// ---- list --------------------------------------------------------------------------------

TEST_F(Groups, ListShowsRoleLastSeqAndUnread) {
  auto g = create_coaches();
  join(g, bob);
  say(alice, g, "practice at six");
  seq_t last = say(alice, g, "bring water");

  auto bobs = summary_in_list(bob, g);
  ASSERT_TRUE(bobs.has_value());
  EXPECT_EQ(bobs->group.name, "coaches");
  EXPECT_EQ(bobs->role, role::member);
  EXPECT_EQ(bobs->group.last_seq, last);
  EXPECT_EQ(bobs->last_read_seq, 0);
  EXPECT_EQ(bobs->unread, 2);

  auto alices = summary_in_list(alice, g);
  ASSERT_TRUE(alices.has_value());
  EXPECT_EQ(alices->role, role::owner);
  EXPECT_EQ(alices->unread, 0);  // her own messages are not unread to her
}

TEST_F(Groups, ListShowsOnlyTheCallersGroups) {
  auto coaches = create_coaches();
  auto runners = must(groups().create(alice, "runners", "")).group.id;
  join(runners, bob);
  auto bobs = must(groups().list(bob));
  ASSERT_EQ(bobs.size(), 1u);
  EXPECT_EQ(bobs[0].group.id, runners);
  EXPECT_TRUE(must(groups().list(carol)).empty());
  EXPECT_EQ(must(groups().list(alice)).size(), 2u);
  (void)coaches;
}

// ---- who may see and change what ------------------------------------------------------------

TEST_F(Groups, NonMemberGetsNotFoundForEverything) {
  auto g = create_coaches();
  join(g, bob);
  EXPECT_ERRC(groups().get(carol, g), not_found);
  EXPECT_ERRC(groups().update(carol, g, "mine now", std::nullopt), not_found);
  EXPECT_ERRC(groups().set_role(carol, g, bob.user.id, role::admin), not_found);
  EXPECT_ERRC(groups().remove_member(carol, g, bob.user.id), not_found);
  EXPECT_ERRC(groups().remove_member(carol, g, carol.user.id), not_found);
  EXPECT_ERRC(invites().create(carol, g, 1, 3600), not_found);
  EXPECT_ERRC(invites().list(carol, g), not_found);
  EXPECT_ERRC(messages().history(carol.user, g, std::nullopt, 50), not_found);
  EXPECT_ERRC(messages().events_after(carol.user, g, 0, 100), not_found);
  EXPECT_ERRC(messages().mark_read(carol.user, g, 1), not_found);
  EXPECT_ERRC(messages().send(carol.user, {g, "let me in", "c1", std::nullopt}), not_found);
  // Exactly as for a group that does not exist: a non-member learns nothing.
  group_id missing{raw(g) + 100};
  auto a = groups().get(carol, g);
  auto b = groups().get(carol, missing);
  ASSERT_ERRC(a, not_found);
  ASSERT_ERRC(b, not_found);
  EXPECT_EQ(a.error().message, b.error().message);
  EXPECT_EQ(must(groups().get(alice, g)).summary.group.name, "coaches");  // nothing changed
}

TEST_F(Groups, MemberGetsForbiddenForUpdate) {
  auto g = create_coaches();
  join(g, bob);
  EXPECT_ERRC(groups().update(bob, g, "bob's now", std::nullopt), forbidden);
  EXPECT_EQ(must(groups().get(bob, g)).summary.group.name, "coaches");
}

TEST_F(Groups, OwnerAndAdminRenameWithAGroupUpdatedEvent) {
  auto g = create_coaches();
  join(g, bob, role::admin);
  auto renamed = groups().update(bob, g, " head coaches ", std::nullopt);
  ASSERT_OK(renamed);
  EXPECT_EQ(renamed->group.name, "head coaches");
  EXPECT_EQ(renamed->group.topic, "who trains whom");  // untouched
  auto e = last_event(g, alice);
  EXPECT_EQ(e.at("kind"), "group_updated");
  EXPECT_EQ(e.at("name"), "head coaches");
  EXPECT_EQ(e.at("topic"), "who trains whom");

  ASSERT_OK(groups().update(alice, g, std::nullopt, ""));
  EXPECT_EQ(must(groups().get(alice, g)).summary.group.topic, "");
}

TEST_F(Groups, UpdateWithNothingNewAddsNoEvent) {
  auto g = create_coaches();
  auto before = must(groups().get(alice, g)).summary.group.last_seq;
  ASSERT_OK(groups().update(alice, g, "coaches", std::nullopt));
  ASSERT_OK(groups().update(alice, g, std::nullopt, std::nullopt));
  EXPECT_EQ(must(groups().get(alice, g)).summary.group.last_seq, before);
}

TEST_F(Groups, UpdateValidatesLikeCreate) {
  auto g = create_coaches();
  EXPECT_ERRC(groups().update(alice, g, "  ", std::nullopt), bad_request);
  EXPECT_ERRC(groups().update(alice, g, std::nullopt, std::string(501, 't')), bad_request);
}

// ---- roles -------------------------------------------------------------------------------

TEST_F(Groups, OnlyOwnersChangeRoles) {
  auto g = create_coaches();
  join(g, bob, role::admin);
  join(g, carol);
  EXPECT_ERRC(groups().set_role(bob, g, carol.user.id, role::admin), forbidden);  // an admin
  EXPECT_ERRC(groups().set_role(carol, g, carol.user.id, role::admin), forbidden);  // a member
  EXPECT_EQ(role_in(g, carol), role::member);

  auto promoted = groups().set_role(alice, g, carol.user.id, role::admin);
  ASSERT_OK(promoted);
  EXPECT_EQ(promoted->role, role::admin);
  EXPECT_EQ(promoted->username, "carol");
  auto e = last_event(g, carol);
  EXPECT_EQ(e.at("kind"), "role_changed");
  EXPECT_EQ(e.at("user_id"), raw(carol.user.id));
  EXPECT_EQ(e.at("role"), "admin");
}

TEST_F(Groups, SettingTheSameRoleAddsNoEvent) {
  auto g = create_coaches();
  join(g, bob);
  auto before = must(groups().get(alice, g)).summary.group.last_seq;
  ASSERT_OK(groups().set_role(alice, g, bob.user.id, role::member));
  EXPECT_EQ(must(groups().get(alice, g)).summary.group.last_seq, before);
}

TEST_F(Groups, SetRoleOfANonMemberIsNotFound) {
  auto g = create_coaches();
  EXPECT_ERRC(groups().set_role(alice, g, carol.user.id, role::admin), not_found);
}

TEST_F(Groups, LastOwnerCannotDemoteThemself) {
  auto g = create_coaches();
  join(g, bob);
  EXPECT_ERRC(groups().set_role(alice, g, alice.user.id, role::admin), conflict);
  EXPECT_EQ(role_in(g, alice), role::owner);

  // With a second owner, she can.
  ASSERT_OK(groups().set_role(alice, g, bob.user.id, role::owner));
  ASSERT_OK(groups().set_role(alice, g, alice.user.id, role::member));
  EXPECT_EQ(role_in(g, alice), role::member);
  EXPECT_ERRC(groups().set_role(alice, g, bob.user.id, role::member), forbidden);  // no longer an owner
}

// ---- removal and leaving ---------------------------------------------------------------------

TEST_F(Groups, RemovalProducesMemberRemoved) {
  auto g = create_coaches();
  join(g, bob);
  seq_t before = must(groups().get(alice, g)).summary.group.last_seq;
  ASSERT_OK(groups().remove_member(alice, g, bob.user.id));

  auto e = last_event(g, alice);
  EXPECT_EQ(e.at("kind"), "member_removed");
  EXPECT_EQ(e.at("user_id"), raw(bob.user.id));
  EXPECT_EQ(e.at("seq"), before + 1);
  EXPECT_ERRC(groups().get(bob, g), not_found);
  EXPECT_TRUE(must(groups().list(bob)).empty());
}

TEST_F(Groups, AdminRemovesMembersButNotOwners) {
  auto g = create_coaches();
  join(g, bob, role::admin);
  join(g, carol);
  EXPECT_ERRC(groups().remove_member(bob, g, alice.user.id), forbidden);
  EXPECT_OK(groups().remove_member(bob, g, carol.user.id));
  EXPECT_EQ(must(groups().get(alice, g)).members.size(), 2u);
}

TEST_F(Groups, MemberCannotRemoveOthers) {
  auto g = create_coaches();
  join(g, bob);
  join(g, carol);
  EXPECT_ERRC(groups().remove_member(carol, g, bob.user.id), forbidden);
  EXPECT_EQ(must(groups().get(alice, g)).members.size(), 3u);
}

TEST_F(Groups, RemovingANonMemberIsNotFound) {
  auto g = create_coaches();
  auto before = must(groups().get(alice, g)).summary.group.last_seq;
  EXPECT_ERRC(groups().remove_member(alice, g, carol.user.id), not_found);
  EXPECT_EQ(must(groups().get(alice, g)).summary.group.last_seq, before);
}

TEST_F(Groups, LeavingProducesMemberLeft) {
  auto g = create_coaches();
  join(g, bob);
  ASSERT_OK(groups().remove_member(bob, g, bob.user.id));
  auto e = last_event(g, alice);
  EXPECT_EQ(e.at("kind"), "member_left");
  EXPECT_EQ(e.at("user_id"), raw(bob.user.id));
  EXPECT_ERRC(groups().get(bob, g), not_found);
}

TEST_F(Groups, LastOwnerCannotLeaveWhileOthersRemain) {
  auto g = create_coaches();
  join(g, bob);
  EXPECT_ERRC(groups().remove_member(alice, g, alice.user.id), conflict);
  EXPECT_EQ(role_in(g, alice), role::owner);

  ASSERT_OK(groups().remove_member(alice, g, bob.user.id));
  EXPECT_OK(groups().remove_member(alice, g, alice.user.id));  // alone, she may go
  EXPECT_TRUE(must(groups().list(alice)).empty());
}

TEST_F(Groups, OneOfTwoOwnersMayLeave) {
  auto g = create_coaches();
  join(g, bob, role::owner);
  join(g, carol);
  ASSERT_OK(groups().remove_member(alice, g, alice.user.id));
  EXPECT_ERRC(groups().remove_member(bob, g, bob.user.id), conflict);  // now the last owner
}

TEST_F(Groups, ARemovedMemberCanComeBackOnlyThroughAnInvite) {
  auto g = create_coaches();
  join(g, bob);
  ASSERT_OK(groups().remove_member(alice, g, bob.user.id));
  EXPECT_ERRC(messages().send(bob.user, {g, "still here?", "b1", std::nullopt}), not_found);
  join(g, bob);
  EXPECT_OK(messages().send(bob.user, {g, "back again", "b2", std::nullopt}));
  EXPECT_EQ(kinds_after(g, 0), (std::vector<std::string>{"member_joined", "member_joined", "member_removed",
                                                          "member_joined", "message"}));
}

}  // namespace
}  // namespace peerchat::unit
