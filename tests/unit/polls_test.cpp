// SPDX-License-Identifier: MIT
// The polls service on the manual clock: anonymous count events are coalesced into one per
// window and GET shows only published counts; tick() closes a poll at closes_at, does
// nothing before, and finds what is due after a restart; anonymous votes leave no choice.
#include "fixture.hpp"
#include "peerchat/service/polls.hpp"

namespace peerchat::unit {
namespace {

class polls_test : public service_fixture {
 protected:
  void SetUp() override {
    service_fixture::SetUp();
    g = create_coaches();
    join(g, bob);
    join(g, carol);
    dave = make_person("dave", "Dave Diaz");
    join(g, dave);
  }
  void TearDown() override {
    polls_.reset();
    service_fixture::TearDown();
  }
  service::polls& polls() {
    if (!polls_) polls_ = std::make_unique<service::polls>(ctx());
    return *polls_;
  }
  std::int64_t create(service::poll_request req) {
    auto e = must(polls().create(alice, g, std::move(req)), "create poll");
    return json::parse(*e.wire).at("poll_id").get<std::int64_t>();
  }
  static service::poll_request anonymous_poll() { return {"Best day?", {"Mon", "Wed", "Fri"}, false, true, std::nullopt}; }
  std::vector<json> of_kind(std::string const& kind) {
    std::vector<json> out;
    for (auto& e : events_of(g, alice))
      if (e.value("kind", "") == kind) out.push_back(e);
    return out;
  }

  group_id g{};
  principal dave;
  std::unique_ptr<service::polls> polls_;
};

TEST_F(polls_test, AnonymousCountsGoOutOncePerWindowWithNoVoter) {
  millis_t t0 = clock.now();
  auto poll = create(anonymous_poll());
  clock.set(t0 + 500);
  ASSERT_OK(polls().vote(bob, g, poll, {0}));
  clock.set(t0 + 1200);
  ASSERT_OK(polls().vote(carol, g, poll, {2}));
  polls().tick();
  EXPECT_TRUE(of_kind("poll_voted").empty()) << "counts went out before the window ended";
  EXPECT_EQ(must(polls().get(alice, g, poll))["counts"], json({0, 0, 0}));  // GET does not time votes either

  clock.set(t0 + service::polls::coalesce_ms - 1);
  polls().tick();
  EXPECT_TRUE(of_kind("poll_voted").empty());
  clock.set(t0 + service::polls::coalesce_ms);
  polls().tick();
  auto published = of_kind("poll_voted");
  ASSERT_EQ(published.size(), 1u) << "two votes of one window: one event";
  EXPECT_EQ(published[0]["counts"], json({1, 0, 1}));
  EXPECT_EQ(published[0].value("voters", 0), 2);
  EXPECT_FALSE(published[0].contains("user_id"));
  EXPECT_EQ(must(polls().get(alice, g, poll))["counts"], json({1, 0, 1}));
  polls().tick();
  EXPECT_EQ(of_kind("poll_voted").size(), 1u) << "nothing new: nothing published";

  // A vote in the next window waits for that window's end, not for a fixed delay after it.
  clock.set(t0 + service::polls::coalesce_ms + 2900);
  ASSERT_OK(polls().vote(dave, g, poll, {1}));
  polls().tick();
  EXPECT_EQ(of_kind("poll_voted").size(), 1u);
  clock.set(t0 + 2 * service::polls::coalesce_ms);
  polls().tick();
  published = of_kind("poll_voted");
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[1]["counts"], json({1, 1, 1}));

  EXPECT_ERRC(polls().vote(bob, g, poll, {1}), conflict);  // final
  EXPECT_EQ(query_int("SELECT count(*) FROM poll_voters WHERE options IS NOT NULL"), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM events WHERE kind = 'poll_voted' AND actor_id IS NOT NULL"), 0);
}

TEST_F(polls_test, ClosingPublishesPendingAnonymousCountsOnce) {
  auto poll = create(anonymous_poll());
  ASSERT_OK(polls().vote(bob, g, poll, {1}));
  auto closed = must(polls().close(alice, g, poll));
  EXPECT_EQ(json::parse(*closed.wire)["counts"], json({0, 1, 0}));
  clock.advance(10 * service::polls::coalesce_ms);
  polls().tick();
  EXPECT_TRUE(of_kind("poll_voted").empty()) << "the close carried the counts; nothing is left to publish";
}

TEST_F(polls_test, TickClosesAPollAtItsClosingTimeAndNotBefore) {
  millis_t closes_at = clock.now() + 60'000;
  auto req = anonymous_poll();
  req.anonymous = false;
  req.closes_at = closes_at;
  auto poll = create(req);
  ASSERT_OK(polls().vote(bob, g, poll, {2}));
  clock.set(closes_at - 1);
  polls().tick();
  EXPECT_TRUE(of_kind("poll_closed").empty());
  EXPECT_OK(polls().vote(carol, g, poll, {2}));

  clock.set(closes_at);
  EXPECT_ERRC(polls().vote(dave, g, poll, {0}), conflict) << "closed at closes_at even before the tick";
  polls().tick();
  auto closed = of_kind("poll_closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]["counts"], json({0, 0, 2}));
  EXPECT_FALSE(closed[0].contains("user_id"));
  auto now = must(polls().get(bob, g, poll));
  EXPECT_TRUE(now.value("closed", false));
  EXPECT_EQ(now.value("closed_at", millis_t{0}), closes_at);
  polls().tick();
  EXPECT_EQ(of_kind("poll_closed").size(), 1u);
}

TEST_F(polls_test, TickDoesNotTouchTheStoreWhenNothingIsDue) {
  auto req = anonymous_poll();
  req.closes_at = clock.now() + 60'000;
  create(req);
  auto before = writer().statistics().batches;
  for (int i = 0; i < 10; ++i) {
    clock.advance(1000);
    polls().tick();
  }
  EXPECT_EQ(writer().statistics().batches, before);
}

TEST_F(polls_test, AfterARestartTheDueTimesAreLoadedFromTheStore) {
  millis_t closes_at = clock.now() + 5'000;
  auto req = anonymous_poll();
  req.closes_at = closes_at;
  auto poll = create(req);
  ASSERT_OK(polls().vote(bob, g, poll, {0}));
  polls_.reset();  // the server stops; a new one starts on the same store
  clock.set(closes_at + 60'000);
  polls().tick();
  auto closed = of_kind("poll_closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]["counts"], json({1, 0, 0}));
  EXPECT_EQ(must(polls().get(carol, g, poll)).value("closed_at", millis_t{0}), closes_at);
}

TEST_F(polls_test, OnlyItsAuthorOrAManagerMayClose) {
  auto req = anonymous_poll();
  auto poll = must(polls().create(bob, g, req));
  auto id = json::parse(*poll.wire).at("poll_id").get<std::int64_t>();
  EXPECT_ERRC(polls().close(carol, g, id), forbidden);
  must(groups().set_role(alice, g, carol.user.id, role::admin), "make carol admin");
  EXPECT_OK(polls().close(carol, g, id));
  EXPECT_ERRC(polls().close(bob, g, id), conflict);
}

}  // namespace
}  // namespace peerchat::unit
