// SPDX-License-Identifier: MIT
// Invites on the manual clock: who may make them, their limits, preview, expiry, revocation,
// use counting, accepting with and without an account, and concurrent accepts.
#include "fixture.hpp"
#include <cctype>
#include <latch>
#include <limits>
#include <thread>

namespace peerchat::unit {
namespace {

constexpr std::int64_t hour_s = 3600;

class Invites : public service_fixture {
 protected:
  void SetUp() override {
    service_fixture::SetUp();
    coaches = create_coaches();
  }
  std::int64_t uses_of(std::string const& code) {
    return query_int("SELECT uses FROM invites WHERE code = '" + code + "'");
  }
  std::int64_t member_count() {
    return query_int("SELECT count(*) FROM memberships WHERE group_id = " + id_of(coaches));
  }
  std::int64_t user_count() { return query_int("SELECT count(*) FROM users"); }

  group_id coaches{};
};

// ---- create ------------------------------------------------------------------------------

TEST_F(Invites, OwnerCreatesAnInvite) {
  auto inv = invites().create(alice, coaches, 3, hour_s);
  ASSERT_OK(inv);
  EXPECT_EQ(inv->group, coaches);
  EXPECT_EQ(inv->created_by, alice.user.id);
  EXPECT_EQ(inv->max_uses, 3);
  EXPECT_EQ(inv->uses, 0);
  EXPECT_EQ(inv->created_at, clock.now());
  EXPECT_EQ(inv->expires_at, clock.now() + hour_s * 1000);
  EXPECT_FALSE(inv->revoked);
}

TEST_F(Invites, CodeCarriesAtLeast128RandomBits) {
  auto first = must(invites().create(alice, coaches, 1, hour_s));
  auto second = must(invites().create(alice, coaches, 1, hour_s));
  EXPECT_GE(first.code.size(), 22u);  // 22 base64url characters hold 128 bits
  for (char c : first.code)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << first.code;
  EXPECT_NE(first.code, second.code);
}

TEST_F(Invites, CreateRequiresOwnerOrAdmin) {
  join(coaches, bob);
  EXPECT_ERRC(invites().create(bob, coaches, 1, hour_s), forbidden);
  EXPECT_ERRC(invites().create(carol, coaches, 1, hour_s), not_found);  // not a member
  ASSERT_OK(groups().set_role(alice, coaches, bob.user.id, role::admin));
  EXPECT_OK(invites().create(bob, coaches, 1, hour_s));
}

TEST_F(Invites, MaxUsesMustBe1To1000) {
  EXPECT_ERRC(invites().create(alice, coaches, 0, hour_s), bad_request);
  EXPECT_ERRC(invites().create(alice, coaches, -1, hour_s), bad_request);
  EXPECT_ERRC(invites().create(alice, coaches, 1001, hour_s), bad_request);
  EXPECT_OK(invites().create(alice, coaches, 1, hour_s));
  EXPECT_OK(invites().create(alice, coaches, 1000, hour_s));
}

TEST_F(Invites, ExpiryMustBeAMinuteToAYear) {
  EXPECT_ERRC(invites().create(alice, coaches, 1, 0), bad_request);
  EXPECT_ERRC(invites().create(alice, coaches, 1, -hour_s), bad_request);
  EXPECT_ERRC(invites().create(alice, coaches, 1, 59), bad_request);
  EXPECT_ERRC(invites().create(alice, coaches, 1, 365 * 86400 + 1), bad_request);
  EXPECT_ERRC(invites().create(alice, coaches, 1, std::numeric_limits<std::int64_t>::max()), bad_request);
  EXPECT_OK(invites().create(alice, coaches, 1, 60));
  EXPECT_OK(invites().create(alice, coaches, 1, 604800));  // the contract's default, a week
  EXPECT_OK(invites().create(alice, coaches, 1, 365 * 86400));
}

TEST_F(Invites, ListShowsLiveInvitesToManagersOnly) {
  auto live = must(invites().create(alice, coaches, 2, hour_s));
  auto revoked = must(invites().create(alice, coaches, 2, hour_s));
  auto used_up = must(invites().create(alice, coaches, 1, hour_s));
  clock.advance(1000);
  auto newest = must(invites().create(alice, coaches, 5, 2 * hour_s));
  ASSERT_OK(invites().revoke(alice, coaches, revoked.code));
  ASSERT_OK(invites().accept(bob, used_up.code));

  auto listed = invites().list(alice, coaches);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].code, newest.code);  // newest first
  EXPECT_EQ((*listed)[1].code, live.code);

  EXPECT_ERRC(invites().list(bob, coaches), forbidden);
  EXPECT_ERRC(invites().list(carol, coaches), not_found);

  clock.advance(hour_s * 1000);  // `live` has expired, `newest` not yet
  listed = invites().list(alice, coaches);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].code, newest.code);
}

// ---- preview -------------------------------------------------------------------------------

TEST_F(Invites, PreviewRevealsGroupNameInviterAndExpiry) {
  auto inv = must(invites().create(alice, coaches, 1, hour_s));
  auto p = invites().preview(inv.code);
  ASSERT_OK(p);
  EXPECT_EQ(p->group_name, "coaches");
  EXPECT_EQ(p->inviter_display_name, "Alice Adams");
  EXPECT_EQ(p->expires_at, clock.now() + hour_s * 1000);
}

TEST_F(Invites, UnknownCodeIsInvalid) {
  EXPECT_ERRC(invites().preview("no-such-code"), invite_invalid);
  EXPECT_ERRC(invites().preview(""), invite_invalid);
  EXPECT_ERRC(invites().accept(bob, "no-such-code"), invite_invalid);
  EXPECT_ERRC(invites().accept_new_account("no-such-code", "dave", "Dave", "a long enough password", "10.0.0.1"), invite_invalid);
  EXPECT_EQ(user_count(), 3);
}

// ---- expiry, revocation, use-up ----------------------------------------------------------------

TEST_F(Invites, ExpiredInviteIsInvalid) {
  auto inv = must(invites().create(alice, coaches, 5, hour_s));
  clock.advance(hour_s * 1000 - 1);
  EXPECT_OK(invites().preview(inv.code));
  clock.advance(1);  // expires_at itself is past
  EXPECT_ERRC(invites().preview(inv.code), invite_invalid);
  EXPECT_ERRC(invites().accept(bob, inv.code), invite_invalid);
  EXPECT_ERRC(invites().accept_new_account(inv.code, "dave", "Dave", "a long enough password", "10.0.0.1"), invite_invalid);
  EXPECT_EQ(uses_of(inv.code), 0);
  EXPECT_EQ(member_count(), 1);
  EXPECT_EQ(user_count(), 3);
}

TEST_F(Invites, RevokedInviteIsInvalid) {
  auto inv = must(invites().create(alice, coaches, 5, hour_s));
  ASSERT_OK(invites().revoke(alice, coaches, inv.code));
  EXPECT_ERRC(invites().preview(inv.code), invite_invalid);
  EXPECT_ERRC(invites().accept(bob, inv.code), invite_invalid);
  EXPECT_ERRC(invites().accept_new_account(inv.code, "dave", "Dave", "a long enough password", "10.0.0.1"), invite_invalid);
  EXPECT_EQ(member_count(), 1);
}

TEST_F(Invites, RevokeRules) {
  join(coaches, bob);
  auto inv = must(invites().create(alice, coaches, 5, hour_s));
  EXPECT_ERRC(invites().revoke(bob, coaches, inv.code), forbidden);
  EXPECT_ERRC(invites().revoke(carol, coaches, inv.code), not_found);
  EXPECT_ERRC(invites().revoke(alice, coaches, "no-such-code"), not_found);
  // A code of another group cannot be revoked through this one.
  auto runners = must(groups().create(alice, "runners", "")).group.id;
  auto theirs = must(invites().create(alice, runners, 1, hour_s));
  EXPECT_ERRC(invites().revoke(alice, coaches, theirs.code), not_found);
  EXPECT_OK(invites().preview(theirs.code));
  EXPECT_OK(invites().preview(inv.code));
}

TEST_F(Invites, UsedUpInviteIsInvalid) {
  auto inv = must(invites().create(alice, coaches, 1, hour_s));
  ASSERT_OK(invites().accept(bob, inv.code));
  EXPECT_ERRC(invites().preview(inv.code), invite_invalid);
  EXPECT_ERRC(invites().accept(carol, inv.code), invite_invalid);
  EXPECT_ERRC(invites().accept_new_account(inv.code, "dave", "Dave", "a long enough password", "10.0.0.1"), invite_invalid);
  EXPECT_EQ(uses_of(inv.code), 1);
  EXPECT_EQ(member_count(), 2);
}

// ---- accept --------------------------------------------------------------------------------

TEST_F(Invites, AcceptByAnExistingUserJoinsAndCountsAUse) {
  auto inv = must(invites().create(alice, coaches, 2, hour_s));
  auto accepted = invites().accept(bob, inv.code);
  ASSERT_OK(accepted);
  EXPECT_TRUE(accepted->joined);
  EXPECT_EQ(accepted->group.group.id, coaches);
  EXPECT_EQ(accepted->group.group.name, "coaches");
  EXPECT_EQ(accepted->group.role, role::member);
  EXPECT_EQ(uses_of(inv.code), 1);
  EXPECT_EQ(member_count(), 2);

  auto events = events_of(coaches, bob);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().at("kind"), "member_joined");
  EXPECT_EQ(events.back().at("user_id"), raw(bob.user.id));
  EXPECT_EQ(events.back().at("role"), "member");

  EXPECT_OK(invites().preview(inv.code));  // one use left
  ASSERT_OK(invites().accept(carol, inv.code));
  EXPECT_EQ(uses_of(inv.code), 2);
}

TEST_F(Invites, AcceptWhenAlreadyAMemberCountsNoUse) {
  auto inv = must(invites().create(alice, coaches, 1, hour_s));
  seq_t before = must(groups().get(alice, coaches)).summary.group.last_seq;
  auto again = invites().accept(alice, inv.code);
  ASSERT_OK(again);
  EXPECT_FALSE(again->joined);
  EXPECT_EQ(again->group.group.id, coaches);
  EXPECT_EQ(again->group.role, role::owner);  // her role is untouched
  EXPECT_EQ(uses_of(inv.code), 0);
  EXPECT_EQ(must(groups().get(alice, coaches)).summary.group.last_seq, before);  // no event
  EXPECT_OK(invites().accept(bob, inv.code));  // the use is still there for someone new
}

TEST_F(Invites, AcceptNewAccountCreatesUserSessionAndMembershipAtOnce) {
  auto inv = must(invites().create(alice, coaches, 1, hour_s));
  auto dave = invites().accept_new_account(inv.code, "dave", "  Dave Davis ", "a long enough password", "10.0.0.1");
  ASSERT_OK(dave);
  EXPECT_EQ(dave->user.username, "dave");
  EXPECT_EQ(dave->user.display_name, "Dave Davis");
  EXPECT_FALSE(dave->user.is_admin);
  EXPECT_EQ(dave->token.size(), 43u);
  EXPECT_EQ(uses_of(inv.code), 1);

  auto who = accounts().authenticate(dave->token);  // the session works at once
  ASSERT_OK(who);
  EXPECT_EQ(who->user.id, dave->user.id);
  EXPECT_EQ(who->session, dave->session);
  auto group = must(groups().get(*who, coaches));
  EXPECT_EQ(group.summary.role, role::member);
  EXPECT_EQ(group.members.size(), 2u);
  // And the password works for a later login.
  EXPECT_OK(accounts().login("dave", "a long enough password", "10.0.0.1"));
}

TEST_F(Invites, AcceptNewAccountWithATakenUsernameConsumesNoUse) {
  auto inv = must(invites().create(alice, coaches, 1, hour_s));
  EXPECT_ERRC(invites().accept_new_account(inv.code, "bob", "Another Bob", "a long enough password", "10.0.0.1"), conflict);
  EXPECT_EQ(uses_of(inv.code), 0);
  EXPECT_EQ(member_count(), 1);
  EXPECT_EQ(query_int("SELECT count(*) FROM users WHERE username = 'bob'"), 1);
  EXPECT_OK(invites().preview(inv.code));
}

TEST_F(Invites, AcceptNewAccountValidatesBeforeUsingTheCode) {
  auto inv = must(invites().create(alice, coaches, 1, hour_s));
  EXPECT_ERRC(invites().accept_new_account(inv.code, "Dave!", "Dave", "a long enough password", "10.0.0.1"), bad_request);
  EXPECT_ERRC(invites().accept_new_account(inv.code, "dave", std::string(65, 'd'), "a long enough password", "10.0.0.1"), bad_request);
  EXPECT_ERRC(invites().accept_new_account(inv.code, "dave", "Dave", "short", "10.0.0.1"), bad_request);
  EXPECT_EQ(uses_of(inv.code), 0);
  EXPECT_EQ(user_count(), 3);
  EXPECT_EQ(query_int("SELECT count(*) FROM sessions"), 3);
}

TEST_F(Invites, AcceptAfterRemovalJoinsAgain) {
  join(coaches, bob);
  ASSERT_OK(groups().remove_member(alice, coaches, bob.user.id));
  auto inv = must(invites().create(alice, coaches, 1, hour_s));
  auto back = invites().accept(bob, inv.code);
  ASSERT_OK(back);
  EXPECT_TRUE(back->joined);
  EXPECT_EQ(back->group.role, role::member);
}

// ---- an invite dies with its creator's right to invite (issue 10, item 10) -----------------

class InvitesOfAFormerAdmin : public Invites {
 protected:
  void SetUp() override {
    Invites::SetUp();
    join(coaches, bob, role::admin);
    bobs = must(invites().create(bob, coaches, 1000, hour_s), "bob's invite").code;
    alices = must(invites().create(alice, coaches, 1000, hour_s), "alice's invite").code;
    dave = make_person("dave", "Dave Davis");
  }
  // The codes alice (still an owner) sees listed.
  std::vector<std::string> listed() {
    std::vector<std::string> codes;
    for (auto const& inv : must(invites().list(alice, coaches), "list")) codes.push_back(inv.code);
    return codes;
  }
  void expect_dead(std::string const& code) {
    EXPECT_ERRC(invites().preview(code), invite_invalid);
    EXPECT_ERRC(invites().accept(dave, code), invite_invalid);
    EXPECT_ERRC(invites().accept_new_account(code, "erin", "Erin", "a long enough password", "10.0.0.1"), invite_invalid);
    EXPECT_EQ(listed(), std::vector<std::string>{alices});
    EXPECT_OK(invites().preview(alices));  // alice's own invites live on
  }

  std::string bobs, alices;
  principal dave;
};

TEST_F(InvitesOfAFormerAdmin, RemovedAdminsInvitesDie) {
  ASSERT_OK(groups().remove_member(alice, coaches, bob.user.id));
  expect_dead(bobs);
  // The probe: the removed admin rejoining with their own invite.
  EXPECT_ERRC(invites().accept(bob, bobs), invite_invalid);
}

TEST_F(InvitesOfAFormerAdmin, AnAdminWhoLeftLeavesNoLiveInvites) {
  ASSERT_OK(groups().remove_member(bob, coaches, bob.user.id));
  expect_dead(bobs);
}

TEST_F(InvitesOfAFormerAdmin, ADemotedAdminsInvitesDieForGood) {
  ASSERT_OK(groups().set_role(alice, coaches, bob.user.id, role::member));
  expect_dead(bobs);
  ASSERT_OK(groups().set_role(alice, coaches, bob.user.id, role::admin));  // promoted again:
  EXPECT_ERRC(invites().accept(dave, bobs), invite_invalid);                // the old code stays dead
}

TEST_F(InvitesOfAFormerAdmin, InvitesFromBeforeTheRuleDieToo) {
  // A membership gone without the revoke (data from an older version): refused at use.
  exec("DELETE FROM memberships WHERE group_id = " + id_of(coaches) + " AND user_id = " + id_of(bob));
  expect_dead(bobs);
}

TEST_F(InvitesOfAFormerAdmin, AnOwnerMadeAdminKeepsTheirInvites) {
  join(coaches, carol, role::owner);
  auto carols = must(invites().create(carol, coaches, 5, hour_s)).code;
  ASSERT_OK(groups().set_role(alice, coaches, carol.user.id, role::admin));
  EXPECT_OK(invites().accept(dave, carols));
}

// ---- accept budgets (issue 10, item 8) -------------------------------------------------------

TEST_F(Invites, AcceptsAreBudgetedPerUser) {
  cfg.limits.accept_burst = 3;
  cfg.limits.accept_per_minute = 6;
  auto inv = must(invites().create(alice, coaches, 100, hour_s));
  for (int i = 0; i < 3; ++i) ASSERT_OK(invites().accept(bob, inv.code)) << i;  // joins, then "already in"
  auto limited = invites().accept(bob, inv.code);
  ASSERT_ERRC(limited, rate_limited);
  EXPECT_NEAR(static_cast<double>(limited.error().retry_after_ms), 10'000, 1);
  EXPECT_OK(invites().accept(carol, inv.code));
  clock.advance(limited.error().retry_after_ms);
  EXPECT_OK(invites().accept(bob, inv.code));
}

TEST_F(Invites, NewAccountAcceptsAreBudgetedPerAddress) {
  cfg.limits.accept_burst = 2;
  cfg.limits.accept_per_minute = 6;
  auto inv = must(invites().create(alice, coaches, 100, hour_s));
  ASSERT_OK(invites().accept_new_account(inv.code, "dave", "Dave", "a long enough password", "198.51.100.7"));
  EXPECT_ERRC(invites().accept_new_account(inv.code, "bob", "Bob", "a long enough password", "198.51.100.7"), conflict);
  auto limited = invites().accept_new_account(inv.code, "erin", "Erin", "a long enough password", "198.51.100.7");
  ASSERT_ERRC(limited, rate_limited);
  EXPECT_NEAR(static_cast<double>(limited.error().retry_after_ms), 10'000, 1);
  EXPECT_OK(invites().accept_new_account(inv.code, "erin", "Erin", "a long enough password", "198.51.100.8"));
}

// ---- concurrency ----------------------------------------------------------------------------

TEST_F(Invites, ConcurrentAcceptsNeverExceedMaxUses) {
  constexpr int max_uses = 5;
  constexpr int peers = 20;
  std::vector<person_spec> specs;
  for (int i = 0; i < peers; ++i) specs.push_back({"peer" + std::to_string(i), "Peer " + std::to_string(i), false});
  auto people = make_people(specs);
  auto inv = must(invites().create(alice, coaches, max_uses, hour_s));
  invites();  // made before the threads start

  std::latch start(peers);
  std::vector<std::optional<result<service::accept_result>>> results(peers);
  std::vector<std::thread> threads;
  for (int i = 0; i < peers; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = invites().accept(people[i], inv.code);
    });
  for (auto& t : threads) t.join();

  int joined = 0;
  int refused = 0;
  for (auto const& r : results) {
    ASSERT_TRUE(r.has_value());
    if (*r) {
      EXPECT_TRUE((*r)->joined);
      ++joined;
    } else {
      EXPECT_EQ(r->error().code, errc::invite_invalid) << r->error().message;
      ++refused;
    }
  }
  EXPECT_EQ(joined, max_uses);
  EXPECT_EQ(refused, peers - max_uses);
  EXPECT_EQ(uses_of(inv.code), max_uses);
  EXPECT_EQ(member_count(), 1 + max_uses);
}

}  // namespace
}  // namespace peerchat::unit
