// SPDX-License-Identifier: MIT
// A connection's frame budget: a burst, then the sustained rate, with the wait to tell.
#include "gateway/frame_budget.hpp"

#include <gtest/gtest.h>

namespace peerchat::gateway {
namespace {

using namespace std::chrono_literals;

TEST(gateway_frame_budget, ABurstThenTheRateWithTheWaitToTell) {
  auto t = frame_budget::clock::now();
  frame_budget budget(10, 5);  // 10 a second, bursts of 5
  for (int i = 0; i < 5; ++i) EXPECT_EQ(budget.spend(t), 0) << i;
  auto wait = budget.spend(t);
  EXPECT_GE(wait, 100) << "one token comes back every 100 ms";
  EXPECT_LE(wait, 101);
  EXPECT_GT(budget.spend(t + 50ms), 0);
  EXPECT_EQ(budget.spend(t + 150ms), 0);
  EXPECT_GT(budget.spend(t + 150ms), 0);
  // A long pause refills to the burst, never beyond.
  auto later = t + 1h;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(budget.spend(later), 0) << i;
  EXPECT_GT(budget.spend(later), 0);
}

}  // namespace
}  // namespace peerchat::gateway
