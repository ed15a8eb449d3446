// SPDX-License-Identifier: MIT
// Token buckets on the manual clock: burst, refill, the wait they announce, and keys.
#include "fixture.hpp"

namespace peerchat::unit {
namespace {

TEST(RateLimiter, AllowsTheBurstThenAnnouncesTheWait) {
  manual_clock clock;
  rate_limiter limiter(clock, 2.0, 3.0);  // 2 a second, bursts of 3
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.acquire("bob"), 0) << i;
  EXPECT_EQ(limiter.acquire("bob"), 500);  // one token takes half a second
}

TEST(RateLimiter, TheAnnouncedWaitIsEnough) {
  manual_clock clock;
  for (double per_second : {10.0 / 60, 0.5, 3.0, 7.0, 10.0, 13.0 / 60 * 3}) {
    rate_limiter limiter(clock, per_second, 1.0);
    ASSERT_EQ(limiter.acquire("k"), 0);
    auto wait = limiter.acquire("k");
    ASSERT_GT(wait, 0) << per_second;
    clock.advance(wait);
    EXPECT_EQ(limiter.acquire("k"), 0) << per_second << ": waited " << wait << " ms";
  }
}

TEST(RateLimiter, AnEarlyRetryIsToldTheRest) {
  manual_clock clock;
  for (double per_second : {10.0 / 60, 0.5, 3.0, 7.0, 10.0, 13.0 / 60 * 3}) {
    rate_limiter limiter(clock, per_second, 1.0);
    ASSERT_EQ(limiter.acquire("k"), 0);
    auto wait = limiter.acquire("k");
    clock.advance(wait - 1);
    auto rest = limiter.acquire("k");  // refused, and not charged for it
    EXPECT_GT(rest, 0) << per_second;
    EXPECT_LE(rest, 2) << per_second;
    clock.advance(rest);
    EXPECT_EQ(limiter.acquire("k"), 0) << per_second << ": waited " << wait - 1 << " + " << rest << " ms";
  }
}

TEST(RateLimiter, RefillsUpToTheBurstOnly) {
  manual_clock clock;
  rate_limiter limiter(clock, 1.0, 2.0);
  EXPECT_EQ(limiter.acquire("bob"), 0);
  EXPECT_EQ(limiter.acquire("bob"), 0);
  EXPECT_GT(limiter.acquire("bob"), 0);
  clock.advance(3'600'000);  // an hour idle refills to 2, not 3600
  EXPECT_EQ(limiter.acquire("bob"), 0);
  EXPECT_EQ(limiter.acquire("bob"), 0);
  EXPECT_GT(limiter.acquire("bob"), 0);
}

TEST(RateLimiter, KeysHaveBucketsOfTheirOwn) {
  manual_clock clock;
  rate_limiter limiter(clock, 1.0, 1.0);
  EXPECT_EQ(limiter.acquire("bob"), 0);
  EXPECT_GT(limiter.acquire("bob"), 0);
  EXPECT_EQ(limiter.acquire("carol"), 0);
}

TEST(RateLimiter, AClockGoingBackGrantsNothing) {
  manual_clock clock;
  rate_limiter limiter(clock, 1.0, 1.0);
  EXPECT_EQ(limiter.acquire("bob"), 0);
  clock.advance(-60'000);
  EXPECT_GT(limiter.acquire("bob"), 0);
}

TEST(RateLimiter, ABurstBelowOneStillAllowsOne) {
  manual_clock clock;
  rate_limiter limiter(clock, 1.0, 0.0);
  EXPECT_EQ(limiter.acquire("bob"), 0);
  EXPECT_GT(limiter.acquire("bob"), 0);
}

// ---- the bounded table (issue 10, item 6) ---------------------------------------------------

TEST(RateLimiter, NoMoreKeysThanItsBoundWhateverTheClientMakesUp) {
  manual_clock clock;
  rate_limiter limiter(clock, 10.0 / 60, 10.0, 100);
  for (int i = 0; i < 10'000; ++i) {
    limiter.acquire("made-up-username-" + std::to_string(i));
    ASSERT_LE(limiter.size(), 100u) << "after " << i + 1 << " keys";
  }
  EXPECT_EQ(limiter.size(), 100u);
}

TEST(RateLimiter, ForgetsTheLeastRecentlyUsedKeyWhenFull) {
  manual_clock clock;
  rate_limiter limiter(clock, 0.0, 1.0, 3);  // never refills: a bucket is remembered or not
  EXPECT_EQ(limiter.acquire("a"), 0);
  EXPECT_EQ(limiter.acquire("b"), 0);
  EXPECT_EQ(limiter.acquire("c"), 0);
  EXPECT_GT(limiter.acquire("a"), 0);  // a is now the most recently used
  EXPECT_EQ(limiter.acquire("d"), 0);  // the table is full: b, the oldest, is forgotten
  EXPECT_GT(limiter.acquire("a"), 0) << "a was used recently and must be remembered";
  EXPECT_EQ(limiter.acquire("b"), 0) << "b was the least recently used and must be forgotten";
  EXPECT_EQ(limiter.size(), 3u);
}

TEST(RateLimiter, RefilledBucketsExpire) {
  manual_clock clock;
  rate_limiter limiter(clock, 1.0, 2.0);  // full again 2 s after its last use
  for (int i = 0; i < 50; ++i) limiter.acquire("idle-" + std::to_string(i));
  EXPECT_EQ(limiter.size(), 50u);
  clock.advance(2'000);
  for (int i = 0; i < 30; ++i) limiter.acquire("active");  // each call drops a couple of idle keys
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(RateLimiter, SpendAnswersRateLimitedWithTheWait) {
  manual_clock clock;
  rate_limiter limiter(clock, 1.0, 1.0);
  EXPECT_TRUE(limiter.spend("bob", "slow down"));
  auto refused = limiter.spend("bob", "slow down");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::rate_limited);
  EXPECT_EQ(refused.error().message, "slow down");
  EXPECT_NEAR(static_cast<double>(refused.error().retry_after_ms), 1000, 1);
}

}  // namespace
}  // namespace peerchat::unit
