// SPDX-License-Identifier: MIT
// Every kind of client frame has a budget, per connection and per user: a client flooding
// read markers (or pings) meets rate_limited and is then cut off, while everyone else is
// served as usual; read markers are coalesced, the latest wins.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_frame_budget_test : public coaches_test {
 protected:
  // Reads `ws` until it ends (bounded), counting error frames by code and read echoes.
  struct tally {
    int rate_limited = 0;
    int other_errors = 0;
    int pongs = 0;
    bool retry_after_given = true;
  };
  static tally read_to_end(ws_client& ws, std::chrono::seconds limit) {
    tally t;
    auto const deadline = std::chrono::steady_clock::now() + limit;
    for (int i = 0; i < 1'000'000 && std::chrono::steady_clock::now() < deadline; ++i) {
      auto f = ws.read_json(5s);
      if (!f) break;
      auto type = f->value("type", "");
      if (type == "pong") ++t.pongs;
      if (type != "error") continue;
      if (f->value("code", "") == "rate_limited") {
        ++t.rate_limited;
        t.retry_after_given &= f->value("retry_after_ms", std::int64_t{0}) > 0;
      } else {
        ++t.other_errors;
      }
    }
    return t;
  }
};

// The probe of issue 10: 300 000 read frames from one member stalled /healthz for seconds.
TEST_F(ws_frame_budget_test, AReadMarkerFloodIsRefusedAndCutOffWhileOthersAreServed) {
  auto alice = srv.connect("alice");
  auto carol = srv.connect("carol");
  auto bob = srv.connect("bob");
  auto bobs_phone = srv.connect("bob");  // sees the read markers bob's flood moved
  auto last = last_seq_in_ready(bob->last_frame(), coaches);

  // Bob floods read markers as fast as the socket takes them (bounded: 20 000 frames, or
  // until the server closes him).
  auto const started = std::chrono::steady_clock::now();
  int sent = 0;
  for (; sent < 20'000; ++sent)
    if (!bob->send_json({{"type", "read"}, {"group_id", coaches}, {"seq", 1 + sent % last}}, 5s)) break;
  auto flood = read_to_end(*bob, 30s);
  double const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  EXPECT_TRUE(flood.retry_after_given) << "a rate_limited error came without retry_after_ms";
  ASSERT_FALSE(bob->is_open()) << "bob's flood was never cut off (" << sent << " frames sent)";
  if (bob->end().how == ws_close::outcome::closed) {
    EXPECT_GT(flood.rate_limited, 0) << "bob's flood was never refused (" << sent << " frames sent)";
    EXPECT_EQ(bob->end().code, 1008) << bob->end().reason;
  } else {
    // A slow build (ASan): the server cut bob off while its refusals and close frame still
    // sat unread behind his own flood, and the reset discarded them. Cut off all the same.
    EXPECT_EQ(bob->end().how, ws_close::outcome::dropped) << bob->end().error;
  }

  // The others were served all along: /healthz answers, a message goes through, and
  // bob's phone (same user, never sent anything itself) is still connected.
  EXPECT_STATUS(srv.http().get("/healthz"), 200);
  ASSERT_TRUE(alice->send_json(send_frame(coaches, "after-flood", "still here")));
  auto got = read_events(*carol, coaches, 1, 10s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value("body", ""), "still here");

  // The store saw at most what the budgets allow: bob's phone got one echo per read marker
  // the server wrote, and that is bounded by the burst plus the refill while the flood ran.
  std::vector<json> others;
  ASSERT_TRUE(bobs_phone->send_json({{"type", "ping"}}));
  int echoes = 0;
  for (int i = 0; i < 100'000; ++i) {
    auto f = bobs_phone->read_json(5s);
    ASSERT_TRUE(f.has_value()) << "bob's phone lost its connection: " << bobs_phone->error();
    if (f->value("type", "") == "pong") break;
    if (f->value("type", "") == "read") ++echoes;
  }
  auto const& limits = srv.config().limits;
  EXPECT_LE(echoes, limits.frames_burst + limits.frames_per_second * (seconds + 1))
      << sent << " frames in " << seconds << " s";
  std::cout << "[ info ] " << sent << " read frames sent, " << flood.rate_limited << " refused, " << echoes
            << " markers written, in " << seconds << " s\n";
}

TEST_F(ws_frame_budget_test, PingsCountTooAndTheUsersConnectionsShareABudget) {
  // Eight connections of one user, each within its own budget, together far over the
  // user's (each stops at its first refusal).
  auto const& limits = srv.config().limits;
  int const per_connection = static_cast<int>(limits.frames_burst) - 10;
  constexpr int phones = 8;
  ASSERT_GT(phones * per_connection, 2 * limits.user_frames_burst);
  int pongs = 0, refused = 0;
  for (int k = 0; k < phones; ++k) {
    auto phone = srv.connect("bob");
    for (int i = 0; i < per_connection; ++i) {
      ASSERT_TRUE(phone->send_json({{"type", "ping"}}));
      auto f = phone->read_until([](json const& j) { return j.value("type", "") == "pong" || j.value("type", "") == "error"; }, 5s);
      ASSERT_TRUE(f.has_value()) << phone->error();
      if (f->value("type", "") == "pong") {
        ++pongs;
        continue;
      }
      EXPECT_EQ(f->value("code", ""), "rate_limited") << f->dump();
      EXPECT_GT(f->value("retry_after_ms", std::int64_t{0}), 0) << f->dump();
      ++refused;
      break;
    }
  }
  EXPECT_GT(refused, 0) << "eight connections of one user were never refused together";
  EXPECT_LT(pongs, phones * per_connection);
  // Another user is not affected by bob's spending.
  auto carol = srv.connect("carol");
  ASSERT_TRUE(carol->send_json({{"type", "ping"}}));
  EXPECT_TRUE(carol->read_until(frame_type("pong"), 5s).has_value());
}

class ws_read_marker_test : public coaches_test {
 protected:
  void configure(peerchat::config& cfg) override {
    cfg.limits.frames_per_second = 1e6;
    cfg.limits.frames_burst = 1e6;
    cfg.limits.user_frames_per_second = 1e6;
    cfg.limits.user_frames_burst = 1e6;
  }
};

TEST_F(ws_read_marker_test, ManyReadMarkersAreCoalescedAndTheLatestWins) {
  for (int i = 0; i < 20; ++i) srv.send("alice", coaches, "m" + std::to_string(i));
  auto bob = srv.connect("bob");
  auto bobs_phone = srv.connect("bob");
  auto last = last_seq_in_ready(bob->last_frame(), coaches);
  constexpr int n = 2000;
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(bob->send_json({{"type", "read"}, {"group_id", coaches}, {"seq", 1 + i * last / n}}));
  ASSERT_TRUE(bob->send_json({{"type", "read"}, {"group_id", coaches}, {"seq", last}}));

  // Bob's phone hears the markers the server wrote: rising, ending at the latest.
  std::int64_t seen = 0;
  int echoes = 0;
  for (int i = 0; i < 10 * n && seen < last; ++i) {
    auto f = bobs_phone->read_until(frame_type("read"), 10s);
    ASSERT_TRUE(f.has_value()) << "the latest marker never came; last seen " << seen;
    auto seq = f->value("seq", std::int64_t{0});
    EXPECT_GE(seq, seen) << "a read marker went backwards";
    seen = seq;
    ++echoes;
  }
  EXPECT_EQ(seen, last);
  EXPECT_EQ(srv.group("bob", coaches).value("last_read_seq", std::int64_t{-1}), last);
  std::cout << "[ info ] " << n + 1 << " read frames, " << echoes << " markers written\n";
}

}  // namespace
}  // namespace peerchat::test
