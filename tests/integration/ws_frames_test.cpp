// SPDX-License-Identifier: MIT
// The server writes every frame pending for a connection in one gathered write, beside Beast's
// own control frames. A client that pings while a burst is being written to it (its small
// receive window keeps the server's writes partial) still reads a valid stream: every event
// once and in order, every ping answered.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <thread>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_frames_test : public coaches_test {};

TEST_F(ws_frames_test, PingsDuringABurstGetPongsAndTheEventStreamStaysIntact) {
  auto alice = srv.connect("alice");
  ws_options small_window;
  small_window.receive_buffer_bytes = 4096;
  auto carol = srv.connect("carol", nullptr, small_window);
  auto start = last_seq_in_ready(carol->last_frame(), coaches);

  // 600 messages of about 9 KB (5.4 MB, more than loopback buffers hold): many of the
  // server's writes to carol end part-way and wait for her to read.
  constexpr int n = 600;
  std::string const body = repeat("€", 3000);

  int pings = 0;
  std::vector<std::int64_t> seqs;
  bool all_json = true;
  std::thread carol_reader([&] {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (seqs.size() < n && std::chrono::steady_clock::now() < deadline) {
      auto text = carol->read_text(5s);
      if (!text) break;
      auto f = json::parse(*text, nullptr, false);
      if (f.is_discarded()) {
        all_json = false;
        break;
      }
      if (f.value("type", "") == "event" && f.value("group_id", std::int64_t{0}) == coaches)
        seqs.push_back(f["seq"].get<std::int64_t>());
      if (seqs.size() % 4 == 1 && carol->ping()) ++pings;
    }
  });

  EXPECT_EQ(send_in_batches(*alice, coaches, n, body, "burst-"), n);
  carol_reader.join();

  EXPECT_TRUE(all_json) << "carol read a frame that is not JSON: the stream was corrupted";
  EXPECT_EQ(seqs, seq_range(start + 1, start + n));
  EXPECT_TRUE(carol->is_open()) << carol->end().code << " " << carol->end().reason << " " << carol->end().error;
  ASSERT_GT(pings, 10);
  // Pongs arrive as carol reads; one more round trip collects the last of them.
  srv.send("alice", coaches, "last word");
  ASSERT_TRUE(carol->read_until(event_kind("message", coaches), 5s).has_value());
  EXPECT_EQ(carol->pongs(), pings);
}

}  // namespace
}  // namespace peerchat::test
