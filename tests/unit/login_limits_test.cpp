// SPDX-License-Identifier: MIT
// The login budgets on the manual clock (issue 10, items 6 and 7): by address, by
// (username, address), and across addresses a slow-down that never locks the owner out.
#include "fixture.hpp"
#include "peerchat/service/login_limits.hpp"

namespace peerchat::unit {
namespace {

limits login_limits_of(double per_minute, std::size_t keys = 10'000) {
  limits l;
  l.login_per_minute = per_minute;
  l.limiter_keys = keys;
  return l;
}

std::string address(int i) { return "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256); }

TEST(LoginLimits, ADistributedGuessSlowsDownButNeverLocksTheOwnerOut) {
  manual_clock clock;
  service::login_limits limits(clock, login_limits_of(10));  // per username: 30 a minute
  int admitted = 0;
  for (int i = 0; i < 200; ++i) admitted += limits.admit("alice", address(i)).has_value() ? 1 : 0;
  // 30 from the username's budget, then one per address and minute: every address once.
  EXPECT_EQ(admitted, 200);
  // The budget is spent, so a second try from each of those addresses waits a minute...
  auto again = limits.admit("alice", address(150));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, errc::rate_limited);
  EXPECT_GT(again.error().retry_after_ms, 0);
  EXPECT_LE(again.error().retry_after_ms, 60'000);
  // ...but alice, from an address of her own, still gets her try at once,
  EXPECT_TRUE(limits.admit("alice", "203.0.113.20").has_value());
  // and another one when she has waited what she was told.
  auto second = limits.admit("alice", "203.0.113.20");
  ASSERT_FALSE(second.has_value());
  clock.advance(second.error().retry_after_ms);
  EXPECT_TRUE(limits.admit("alice", "203.0.113.20").has_value());
  // Other usernames are not slowed at all.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limits.admit("bob", "203.0.113.21").has_value()) << i;
}

TEST(LoginLimits, OneAddressGuessingOneUsernameIsStopped) {
  manual_clock clock;
  service::login_limits limits(clock, login_limits_of(10));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limits.admit("alice", "198.51.100.7").has_value()) << i;
  EXPECT_FALSE(limits.admit("alice", "198.51.100.7").has_value());
  EXPECT_TRUE(limits.admit("alice", "198.51.100.8").has_value());  // not the owner elsewhere
}

TEST(LoginLimits, OneAddressSprayingUsernamesIsStopped) {
  manual_clock clock;
  service::login_limits limits(clock, login_limits_of(10));  // per address: 30 a minute
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += limits.admit("user" + std::to_string(i), "198.51.100.7").has_value() ? 1 : 0;
  EXPECT_EQ(admitted, 30);
}

// Issue 10, item 6: 300 logins with 1 MB usernames grew the server by 318 MB.
TEST(LoginLimits, DistinctUsernamesFromManyAddressesKeepTheTablesBounded) {
  manual_clock clock;
  service::login_limits limits(clock, login_limits_of(1e6, 50));
  for (int i = 0; i < 20'000; ++i) {
    (void)limits.admit("user" + std::to_string(i), address(i));
    ASSERT_LE(limits.keys(), 4u * 50) << "after " << i + 1 << " attempts";
  }
}

}  // namespace
}  // namespace peerchat::unit
