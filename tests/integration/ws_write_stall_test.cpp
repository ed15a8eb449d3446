// SPDX-License-Identifier: MIT
// The write-stall limit: a connection whose write stays unfinished for write_stall is
// closed with 1008 even when nothing more is queued for it (the group went quiet).
#include "support/test_server.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_write_stall_test : public coaches_test {
 protected:
  void configure(peerchat::config& cfg) override {
    cfg.limits.write_stall = std::chrono::seconds(3);
    // The queue never overflows here: only the stall can close carol.
    cfg.limits.queue_bytes = 64u << 20;
  }
};

TEST_F(ws_write_stall_test, AReaderThatStopsInAQuietGroupIsClosed) {
  auto alice = srv.connect("alice");
  ws_options small_window;
  small_window.receive_buffer_bytes = 4096;
  auto carol = srv.connect("carol", nullptr, small_window);

  // A short burst, more than carol's window and the loopback buffers hold (about 8 MiB),
  // sent well within the stall limit; then the group goes quiet and carol never reads.
  constexpr int n = 350;
  std::string const body = repeat("€", 7800);
  ASSERT_EQ(send_in_batches(*alice, coaches, n, body, "burst-"), n);

  bool closed = wait_until(
      [&] { return metric(srv.http().get("/metrics", test_metrics_token).body, "peerchat_slow_consumer_closes_total") >= 1; }, 30s, 20ms);
  ASSERT_TRUE(closed) << "carol's stalled write was never given up on";
  // Carol reads again: what was buffered for her, then the close frame. The server gives a
  // close handshake 5 s before it drops the socket; a slow build (TSan) may not drain megabytes
  // through a 4 KiB window in that time, and then the drop is the answer.
  auto end = carol->read_close(30s);
  ASSERT_NE(end.how, ws_close::outcome::open) << "carol's connection outlived the stall";
  if (end.how == ws_close::outcome::closed) {
    EXPECT_EQ(end.code, 1008);
    EXPECT_EQ(end.reason, "client too slow");
  }

  // Alice was never slowed: she still gets answers at once.
  ASSERT_TRUE(alice->send_json({{"type", "ping"}}));
  EXPECT_TRUE(alice->read_until(frame_type("pong"), 5s).has_value());
}

}  // namespace
}  // namespace peerchat::test
