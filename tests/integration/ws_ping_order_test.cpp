// SPDX-License-Identifier: MIT
// The premise of every "nothing else arrived" check (frames_before_pong): the server answers a
// connection's ping after everything it had queued for that connection before reading it.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using ws_ping_order_test = coaches_test;

TEST_F(ws_ping_order_test, ThePongComesAfterEveryEventQueuedBeforeThePing) {
  auto bob = srv.connect("bob");
  auto start = last_seq_in_ready(bob->last_frame(), coaches);
  constexpr int n = 50;
  // Acked over HTTP: each is published to bob's connection before the answer, while bob reads nothing.
  for (int i = 0; i < n; ++i) srv.send("alice", coaches, "queued " + std::to_string(i));
  auto before = bob->frames_before_pong();
  ASSERT_TRUE(before.has_value()) << bob->error();
  std::vector<json> events;
  for (auto const& f : *before)
    if (f.value("type", "") == "event" && f.value("group_id", std::int64_t{0}) == coaches) events.push_back(f);
  EXPECT_EQ(seqs_of(events), seq_range(start + 1, start + n));
  // Nothing is left behind the pong.
  auto after = bob->frames_before_pong();
  ASSERT_TRUE(after.has_value()) << bob->error();
  for (auto const& f : *after) EXPECT_NE(f.value("type", ""), "event") << f.dump();
}

}  // namespace
}  // namespace peerchat::test
