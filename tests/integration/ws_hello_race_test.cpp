// SPDX-License-Identifier: MIT
// Hello while the group talks: every event is either within the group's last_seq in `ready`
// or delivered live after it — none falls between the group-list read and the subscription.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <atomic>
#include <thread>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_hello_race_test : public coaches_test {};

TEST_F(ws_hello_race_test, EveryEventCommittedDuringHellosIsInReadyOrDeliveredLive) {
  auto alice = srv.connect("alice");
  auto start = last_seq_in_ready(alice->last_frame(), coaches);
  constexpr int n = 600;

  // Alice sends without pause while bob and carol connect over and over: many hellos land
  // while commits are happening.
  std::atomic<bool> sending{true};
  int acked = 0;
  std::thread sender([&] {
    acked = send_in_batches(*alice, coaches, n, "race", "race-");
    sending = false;
  });
  std::vector<std::unique_ptr<ws_client>> clients;
  std::vector<std::int64_t> ready_at;
  for (int i = 0; i < 150 && (sending || i < 5); ++i) {
    clients.push_back(srv.connect(i % 2 ? "bob" : "carol"));
    ready_at.push_back(last_seq_in_ready(clients.back()->last_frame(), coaches));
  }
  sender.join();
  ASSERT_EQ(acked, n);
  auto const last = start + n;

  // Each connection: ready's last_seq, then every later seq exactly once, in order.
  int mid_stream = 0;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    SCOPED_TRACE("connection " + std::to_string(i) + " ready at seq " + std::to_string(ready_at[i]));
    ASSERT_GE(ready_at[i], start);
    ASSERT_LE(ready_at[i], last);
    if (ready_at[i] > start && ready_at[i] < last) ++mid_stream;
    auto live = read_events(*clients[i], coaches, static_cast<std::size_t>(last - ready_at[i]), 20s);
    EXPECT_EQ(seqs_of(live), seq_range(ready_at[i] + 1, last));
  }
  // The test means something only if hellos did land while the group talked.
  EXPECT_GT(mid_stream, 0) << "no hello happened during the sends; " << clients.size() << " connections";
  std::cout << "[ info ] " << clients.size() << " hellos, " << mid_stream << " during the sends\n";
}

}  // namespace
}  // namespace peerchat::test
