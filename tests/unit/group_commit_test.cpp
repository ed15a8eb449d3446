// SPDX-License-Identifier: MIT
// When the writer waits for company before it commits (store/group_commit.hpp).
#include "store/group_commit.hpp"
#include <gtest/gtest.h>

namespace peerchat::unit {
namespace {

using store::group_commit;
using namespace std::chrono_literals;

constexpr auto just_now = 300us;  // the last commit ended a moment ago: traffic is steady

TEST(GroupCommit, AQuietServerCommitsAtOnce) {
  group_commit g;
  EXPECT_EQ(g.company(1, 10s), 1u) << "a message after a pause is never held back";
  EXPECT_EQ(g.company(1, group_commit::steady_gap), 1u);
}

TEST(GroupCommit, UnderSteadyTrafficALoneJobWaitsForOneMore) {
  group_commit g;
  EXPECT_EQ(g.company(1, just_now), 2u);
}

TEST(GroupCommit, SendersComingBackTogetherAreCommittedAsSoonAsAllAreBack) {
  group_commit g;
  g.committed(4);  // four senders, each waiting for its ack
  EXPECT_EQ(g.company(1, just_now), 4u);
  EXPECT_EQ(g.company(4, just_now), 4u) << "all four are back: commit now, do not wait for a fifth";
}

TEST(GroupCommit, TheCompanyWaitedForIsBounded) {
  group_commit g;
  g.committed(500);  // a burst
  EXPECT_EQ(g.company(1, just_now), group_commit::most_company);
  EXPECT_EQ(g.company(20, just_now), 20u) << "more than enough is there: commit now";
}

TEST(GroupCommit, AWaitThatCaughtNothingStopsTheWaitingForALoneSender) {
  group_commit g;
  ASSERT_EQ(g.company(1, just_now), 2u);
  g.waited(1, 1);  // one sender waiting for its ack: nobody else came
  g.committed(1);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(g.company(1, just_now), 1u) << "commit " << i << " was held back for nothing";
    g.committed(1);
  }
}

TEST(GroupCommit, WaitingResumesOnceCompanyComesByItself) {
  group_commit g;
  g.waited(1, 1);
  g.committed(1);
  ASSERT_EQ(g.company(1, just_now), 1u);
  EXPECT_EQ(g.company(3, just_now), 3u) << "three were already there";
  g.committed(3);
  EXPECT_EQ(g.company(1, just_now), 3u) << "senders are about again: waiting pays again";
}

TEST(GroupCommit, AWaitThatCaughtSomeoneKeepsTheWaiting) {
  group_commit g;
  ASSERT_EQ(g.company(1, just_now), 2u);
  g.waited(1, 2);
  g.committed(2);
  EXPECT_EQ(g.company(1, just_now), 2u);
}

}  // namespace
}  // namespace peerchat::unit
