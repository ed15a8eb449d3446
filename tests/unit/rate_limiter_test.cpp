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

}  // namespace
}  // namespace peerchat::unit
