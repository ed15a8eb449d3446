// SPDX-License-Identifier: MIT
// Who hears of a message (service::notifications::message_audience) against a real SQLite
// file: the sender never, levels, mutes, quiet hours (with allow_mentions), subscribers only.
#include "fixture.hpp"
#include "peerchat/service/notifications.hpp"
#include "peerchat/service/quiet_hours_clock.hpp"

namespace peerchat::unit {
namespace {

using service::notify_level;

class notifications_audience_test : public service_fixture {
 protected:
  void SetUp() override {
    service_fixture::SetUp();
    notes_ = std::make_unique<service::notifications>(ctx());
    coaches = create_coaches();
    join(coaches, bob);
    join(coaches, carol);
  }
  void TearDown() override {
    notes_.reset();
    service_fixture::TearDown();
  }
  service::notifications& notes() { return *notes_; }

  // A subscription of `who`'s session, with a distinct endpoint.
  std::int64_t subscribe(principal const& who) {
    static int n = 0;
    std::string key = "BA" + std::string(85, 'A');  // base64url of 65 bytes starting 0x04
    std::string auth(22, 'A');                      // base64url of 16 bytes
    return must(notes().subscribe(who, {"https://push.example.com/" + std::to_string(++n), key, auth, ""}), "subscribe").id;
  }

  std::vector<user_id> audience(user_id sender, std::vector<user_id> mentioned = {}, bool question = false) {
    auto a = must(notes().message_audience(coaches, 5, sender, mentioned, question, clock.now()), "audience");
    EXPECT_EQ(a.group_name, "coaches");
    std::vector<user_id> out;
    for (auto const& r : a.recipients) {
      EXPECT_FALSE(r.subscriptions.empty());
      out.push_back(r.user);
    }
    return out;
  }

  group_id coaches{};

 private:
  std::unique_ptr<service::notifications> notes_;
};

TEST_F(notifications_audience_test, OnlyMembersWithASubscriptionAndNeverTheSender) {
  subscribe(alice);
  subscribe(bob);
  EXPECT_EQ(audience(alice.user.id), std::vector<user_id>{bob.user.id}) << "carol has no subscription";
  EXPECT_EQ(audience(bob.user.id), std::vector<user_id>{alice.user.id});
}

TEST_F(notifications_audience_test, AGroupHasSubscribersOnceOneMemberSubscribed) {
  EXPECT_FALSE(notes().any_member_subscribed(coaches));
  subscribe(carol);
  EXPECT_TRUE(notes().any_member_subscribed(coaches));
}

TEST_F(notifications_audience_test, EverySubscriptionOfARecipientIsListed) {
  subscribe(bob);
  subscribe(bob);
  auto a = must(notes().message_audience(coaches, 5, alice.user.id, {}, false, clock.now()));
  ASSERT_EQ(a.recipients.size(), 1u);
  EXPECT_EQ(a.recipients[0].subscriptions.size(), 2u);
  EXPECT_FALSE(a.recipients[0].mention);
}

TEST_F(notifications_audience_test, LevelMentionsHearsOnlyMentionsAndQuestions) {
  subscribe(bob);
  must(notes().set_notify(bob, coaches, notify_level::mentions, std::nullopt));
  EXPECT_TRUE(audience(alice.user.id).empty());
  EXPECT_EQ(audience(alice.user.id, {bob.user.id}), std::vector<user_id>{bob.user.id});
  EXPECT_EQ(audience(alice.user.id, {}, true), std::vector<user_id>{bob.user.id}) << "a question counts as a mention";
  auto a = must(notes().message_audience(coaches, 5, alice.user.id, {bob.user.id}, false, clock.now()));
  EXPECT_TRUE(a.recipients.at(0).mention);
}

TEST_F(notifications_audience_test, LevelNoneHearsNothing) {
  subscribe(bob);
  must(notes().set_notify(bob, coaches, notify_level::none, std::nullopt));
  EXPECT_TRUE(audience(alice.user.id, {bob.user.id}, true).empty());
}

TEST_F(notifications_audience_test, MutedUntilTheTimeIsPast) {
  subscribe(bob);
  must(notes().set_notify(bob, coaches, notify_level::all, clock.now() + 60'000));
  EXPECT_TRUE(audience(alice.user.id, {bob.user.id}).empty()) << "a mute silences mentions too";
  clock.advance(60'000);
  EXPECT_EQ(audience(alice.user.id), std::vector<user_id>{bob.user.id});
}

TEST_F(notifications_audience_test, QuietHoursSilenceAllButAllowedMentions) {
  subscribe(bob);
  clock.set(1'700'000'000'000);  // 2023-11-14 22:13:20 UTC; 23:13 in Berlin
  must(notes().set_quiet_hours(bob.user.id, service::quiet_hours{22 * 60, 7 * 60, "Europe/Berlin", false}));
  EXPECT_TRUE(audience(alice.user.id, {bob.user.id}).empty());
  must(notes().set_quiet_hours(bob.user.id, service::quiet_hours{22 * 60, 7 * 60, "Europe/Berlin", true}));
  EXPECT_TRUE(audience(alice.user.id).empty());
  EXPECT_EQ(audience(alice.user.id, {bob.user.id}), std::vector<user_id>{bob.user.id});
  // In New York it is 17:13: outside the same window.
  must(notes().set_quiet_hours(bob.user.id, service::quiet_hours{22 * 60, 7 * 60, "America/New_York", false}));
  EXPECT_EQ(audience(alice.user.id), std::vector<user_id>{bob.user.id});
}

TEST_F(notifications_audience_test, ASubscriptionGoesWithItsSession) {
  auto id = subscribe(bob);
  EXPECT_EQ(notes().subscription_count(), 1);
  must(writer().call([&](store::database& db, store::event_list&) -> result<void> {
    service::end_session(db, bob.session);
    return {};
  }));
  EXPECT_TRUE(audience(alice.user.id).empty());
  EXPECT_EQ(notes().subscription_count(), 0);
  EXPECT_ERRC(notes().unsubscribe(bob, id), not_found);
}

TEST_F(notifications_audience_test, DeletionAudienceFollowsStoredMentionsAndIgnoresMutes) {
  subscribe(bob);
  subscribe(carol);
  must(notes().set_notify(bob, coaches, notify_level::mentions, std::nullopt));
  must(notes().set_notify(carol, coaches, notify_level::all, clock.now() + 3'600'000));
  seq_t plain = say(alice, coaches, "hello");
  seq_t mention = say(alice, coaches, "hello @bob");
  auto ids = [](service::push_audience const& a) {
    std::vector<user_id> out;
    for (auto const& r : a.recipients) out.push_back(r.user);
    return out;
  };
  EXPECT_EQ(ids(must(notes().deletion_audience(coaches, plain, clock.now()))), std::vector<user_id>{carol.user.id});
  EXPECT_EQ(ids(must(notes().deletion_audience(coaches, mention, clock.now()))),
            (std::vector<user_id>{bob.user.id, carol.user.id}));
}

TEST(quiet_hours_clock, LocalTimeFollowsTheZoneAndItsRules) {
  // 2023-11-14 22:13:20 UTC
  EXPECT_EQ(service::local_minute_of_day("UTC", 1'700'000'000'000), 22 * 60 + 13);
  EXPECT_EQ(service::local_minute_of_day("Europe/Berlin", 1'700'000'000'000), 23 * 60 + 13);
  EXPECT_EQ(service::local_minute_of_day("Asia/Kolkata", 1'700'000'000'000), 3 * 60 + 43);
  // 2024-07-01 12:00 UTC: summer time in Berlin (UTC+2)
  EXPECT_EQ(service::local_minute_of_day("Europe/Berlin", 1'719'835'200'000), 14 * 60);
  EXPECT_FALSE(service::local_minute_of_day("Mars/Olympus", 0));
  EXPECT_FALSE(service::known_time_zone(""));
}

TEST(quiet_hours_clock, AWindowMaySpanMidnight) {
  service::quiet_hours night{22 * 60, 7 * 60, "UTC", false};
  EXPECT_TRUE(service::in_quiet_hours(night, 1'700'000'000'000));            // 22:13
  EXPECT_FALSE(service::in_quiet_hours(night, 1'700'000'000'000 - 3'600'000));  // 21:13
  service::quiet_hours lunch{12 * 60, 13 * 60, "UTC", false};
  EXPECT_FALSE(service::in_quiet_hours(lunch, 1'700'000'000'000));
}

}  // namespace
}  // namespace peerchat::unit
