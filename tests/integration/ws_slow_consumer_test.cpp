// SPDX-License-Identifier: MIT
// One slow client costs only itself: a connection that stops reading is closed with 1008
// once its queue is full, while every other connection keeps receiving everything; it can
// then resume like any other.
#include "support/test_server.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>
#include <thread>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_slow_consumer_test : public coaches_test {};

TEST_F(ws_slow_consumer_test, AConnectionThatStopsReadingIsClosedAndTheOthersGetEverything) {
  auto alice = srv.connect("alice");
  auto bob = srv.connect("bob");
  // Carol's phone: a tiny receive window, and it never reads while the group talks.
  ws_options small_window;
  small_window.receive_buffer_bytes = 4096;
  auto carol = srv.connect("carol", nullptr, small_window);
  auto start = last_seq_in_ready(carol->last_frame(), coaches);

  // About 9 MiB of messages (7800 three-byte characters each, within the 8000-character
  // limit): far more than the 1 MiB queue plus what loopback sockets buffer (up to 4 MiB).
  constexpr int n = 400;
  std::string const body = repeat("€", 7800);

  std::vector<json> bobs;
  std::thread bob_reader([&] { bobs = read_events(*bob, coaches, n, 60s); });
  int acked = 0;
  std::thread alice_sender([&] { acked = send_in_batches(*alice, coaches, n, body, "bulk-"); });

  // Carol reads again once the server has given up on her (a phone back in coverage), while
  // the group goes on talking: what was buffered for her, then the close. (Waiting for the
  // whole burst first could outlast the server's 5 s deadline for the close handshake, and
  // then she would see the connection drop instead.)
  bool given_up = wait_until([&] { return metric(srv.http().get("/metrics", test_metrics_token).body, "peerchat_slow_consumer_closes_total") >= 1; },
                             60s, 20ms);
  std::int64_t carol_last = start;
  bool in_order = true;
  for (int i = 0; i < 2 * n; ++i) {
    auto f = carol->read_json(5s);
    if (!f) break;
    if (f->value("type", "") == "event" && f->value("group_id", std::int64_t{0}) == coaches) {
      auto seq = (*f)["seq"].get<std::int64_t>();
      in_order &= seq == carol_last + 1;
      carol_last = seq;
    }
  }
  alice_sender.join();
  bob_reader.join();
  ASSERT_TRUE(given_up) << "the server never closed carol";
  ASSERT_EQ(acked, n);
  EXPECT_EQ(seqs_of(bobs), seq_range(start + 1, start + n)) << "bob missed events while carol was slow";
  EXPECT_TRUE(in_order) << "what carol did get came in order";
  EXPECT_FALSE(carol->is_open());
  EXPECT_EQ(carol->end().how, ws_close::outcome::closed) << carol->end().error;
  EXPECT_EQ(carol->end().code, 1008) << carol->end().reason;
  EXPECT_LT(carol_last, start + n) << "carol was never closed: she got every event";

  // She resumes like any other client and gets the rest, exactly.
  auto back = srv.connect("carol", {{std::to_string(coaches), carol_last}});
  auto rest = read_events(*back, coaches, static_cast<std::size_t>(start + n - carol_last), 30s);
  EXPECT_EQ(seqs_of(rest), seq_range(carol_last + 1, start + n))
      << "the resumed connection ended: how=" << static_cast<int>(back->end().how) << " code=" << back->end().code
      << " reason=" << back->end().reason << " error=" << back->end().error;

  // And the server never slowed the others: a message now reaches bob at once.
  srv.send("alice", coaches, "still here");
  EXPECT_EQ(read_events(*bob, coaches, 1, 5s).size(), 1u);
}

}  // namespace
}  // namespace peerchat::test
