// SPDX-License-Identifier: MIT
// The WebSocket load: one Beast client per member, spread over worker threads (one io_context
// each), sending timestamped messages and checking every delivery.
#pragma once
#include "histogram.hpp"
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::bench {

struct connection_spec {
  int group_index = 0;          // into the scenario's groups
  std::int64_t group_id = 0;
  std::string token;
  bool sender = false;
  std::optional<std::int64_t> resume;  // hello resume {group_id: seq}
};

struct load_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  int threads = 1;
  int connect_parallel = 128;  // handshakes in flight at once, over all threads
  int body_bytes = 100;        // message body length (timestamp, sender and padding)
  std::string run_tag;         // makes client_msg_id unique across runs
};

enum class send_mode { open_loop, closed_loop };

struct send_plan {
  send_mode mode = send_mode::open_loop;
  double rate = 0;                 // open loop: messages per second over all senders
  int inflight = 1;                // closed loop: messages in flight per sender
  std::uint64_t max_messages = 0;  // 0: unbounded (the caller stops by time)
};

// Totals read live by the main thread (each is the sum over workers).
struct live_counts {
  std::uint64_t sent = 0, acked = 0, errors = 0, deliveries = 0, window_deliveries = 0, expected_deliveries = 0,
                ready = 0, failed = 0, closed = 0, catchup_done = 0, frames = 0;
};

struct load_result {
  histogram latency_ns;  // message deliveries, send timestamp to receipt, live connections only
  histogram connect_ns;  // TCP connect to ready, per connection
  live_counts totals;
  std::uint64_t missing = 0;        // (connection, acked message) pairs never delivered
  std::uint64_t duplicates = 0;     // deliveries of a seq already delivered on that connection
  std::uint64_t duplicate_acks = 0; // the same (group, seq) acked twice
  std::uint64_t out_of_order = 0;   // events whose seq is not the previous one + 1 on a resumed connection
  std::vector<std::string> error_samples;  // the first few error frames and close reasons
};

// Thread safety: the public methods are called from one (main) thread; they post work to the
// workers, which own their connections exclusively. Counters are single-writer atomics.
class load {
 public:
  load(load_options o, std::vector<connection_spec> specs);
  ~load();
  load(load const&) = delete;
  load& operator=(load const&) = delete;

  // Starts the handshakes of the given connections (indexes into specs).
  void connect(std::vector<int> const& which);
  // Starts sending from every ready sender; opens the measured window.
  void start(send_plan plan);
  // Stops sending new messages; closes the measured window.
  void stop_sending();
  live_counts counts() const;
  // The catch-up of a resumed connection: nanoseconds from hello to the last event announced
  // in its ready frame (0 while not done), and events received.
  std::uint64_t catchup_ns(int connection) const;
  std::uint64_t events_received(int connection) const;
  // Stops the workers, closes every socket and checks every delivery.
  load_result finish();

 private:
  struct worker;
  struct connection;
  load_options o_;
  std::vector<connection_spec> specs_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<connection*> conns_;  // owned by their worker
  std::vector<std::uint64_t> online_members_;  // per group, connected and counted for delivery
  std::atomic<bool> window_open_{false};
  std::atomic<bool> sending_{false};
  std::atomic<std::uint64_t> budget_{0};  // messages left when max_messages is set
  bool bounded_ = false;
  bool finished_ = false;
};

}  // namespace peerchat::bench
