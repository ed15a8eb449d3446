// SPDX-License-Identifier: MIT
// The push dispatcher: fed committed events by the writer, it works out who hears of each
// message, encrypts a payload per subscription and sends it, off the writer and I/O threads.
#pragma once
#include "peerchat/core/clock.hpp"
#include "peerchat/core/config.hpp"
#include "peerchat/core/error.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/push/http_client.hpp"
#include "peerchat/push/server_keys.hpp"
#include "peerchat/push/vapid.hpp"
#include "peerchat/service/notifications.hpp"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace peerchat::push {

// Where the dispatcher asks its questions (bound to service::notifications and the gateway's
// focus registry by the app; plain functions in tests). Called on the planner thread.
struct sources {
  std::function<result<service::push_audience>(group_id, seq_t, user_id sender, std::vector<user_id> const& mentioned,
                                               bool question)>
      message_audience;
  std::function<result<service::push_audience>(group_id, seq_t target_seq)> deletion_audience;
  // Whether any member of the group has a subscription; when it says no, the event is not
  // planned (no JSON parse, no audience). Unset: every event is planned.
  std::function<bool(group_id)> any_member_subscribed;
  std::function<void(std::int64_t subscription_id)> subscription_gone;
  std::function<bool(user_id, group_id)> focused;  // a fresh focus on that group, any connection
  std::function<std::int64_t()> subscription_count;  // for the gauge; asked every 15 s
};

// Thread safety: enqueue() from the writer thread, counters and stop() from any thread. The
// planner thread does the reading, encrypting and retry scheduling; the http_client's thread
// does the network and only hands answers back under the mutex.
//
// Bounds: at most settings.queue events wait (over it the oldest is dropped and counted), at
// most settings.in_flight requests are open, and events are only planned while fewer than
// settings.in_flight planned requests wait, so a slow push service backs the work up into
// the bounded event queue rather than into memory.
class dispatcher {
 public:
  dispatcher(push_settings settings, server_keys keys, std::string subject, sources src, peerchat::clock const& clock,
             client_options client = {});
  ~dispatcher();  // stop()
  dispatcher(dispatcher const&) = delete;
  dispatcher& operator=(dispatcher const&) = delete;

  // After each commit, on the writer thread: keeps `message` and `message_deleted` events
  // (a shared_ptr copy each) and returns. Never blocks on the network or the store.
  void enqueue(std::vector<event> const& events);

  // Cancels requests in flight, drops what waits, joins the threads. Idempotent.
  void stop();

  std::string const& public_key_b64() const noexcept { return signer_.public_key_b64(); }

  std::atomic<std::uint64_t> sent{0};     // accepted by the push service (200/201/202)
  std::atomic<std::uint64_t> failed{0};   // given up: other 4xx, refused endpoint, attempts spent
  std::atomic<std::uint64_t> dropped{0};  // events dropped from a full queue (oldest first)
  std::atomic<std::uint64_t> retried{0};  // retries scheduled after 429, 5xx or a network error
  std::atomic<std::uint64_t> gone{0};     // 404/410: subscription deleted
  // Subscriptions stored, counted on the planner thread (so /metrics, on an I/O thread,
  // never touches the store); refreshed every 15 s and after a subscription is gone.
  std::atomic<std::int64_t> subscriptions{0};

 private:
  struct job {
    std::int64_t subscription = 0;
    std::string url, origin, topic, urgency, body;
    int attempts = 0;  // tries made so far
  };
  using time_point = std::chrono::steady_clock::time_point;

  void run();
  std::vector<job> plan(event const& e);
  void send(job j);
  void on_answer(job j, http_response r);
  std::chrono::milliseconds backoff(int attempts, std::string const& retry_after) const;

  push_settings settings_;
  server_keys keys_;
  vapid_signer signer_;
  sources src_;
  peerchat::clock const& clock_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<event> events_;                  // guarded by mutex_; at most settings_.queue
  std::deque<job> ready_;                     // guarded by mutex_; planned, waiting for a slot
  std::multimap<time_point, job> retries_;    // guarded by mutex_; by due time
  std::vector<std::int64_t> gone_ids_;        // guarded by mutex_; for subscription_gone
  std::size_t in_flight_ = 0;                 // guarded by mutex_
  bool stopping_ = false;                     // guarded by mutex_

  http_client client_;  // after the state its completions touch, so it stops first
  std::thread planner_;
};

}  // namespace peerchat::push
