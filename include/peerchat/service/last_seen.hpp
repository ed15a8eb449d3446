// SPDX-License-Identifier: MIT
// When a session and its user were last seen (the devices list, the admin's user list),
// written at most once per `interval` per session: never a write per request. The last write
// time of each session is kept in memory; the update goes through the writer without anyone
// waiting for it (a lost one only makes "last seen" a few minutes older).
#pragma once
#include "peerchat/core/clock.hpp"
#include "peerchat/core/ids.hpp"
#include "peerchat/store/writer.hpp"
#include <cstddef>
#include <mutex>
#include <unordered_map>

namespace peerchat::service {

// Thread safety: touch() and forget() from any thread (a mutex guards the map).
class last_seen {
 public:
  static constexpr millis_t default_interval = 5 * 60'000;
  // At most this many sessions are remembered; past it, the ones not written within the
  // interval are dropped (they would be written on their next request anyway).
  static constexpr std::size_t max_remembered = 100'000;

  last_seen(store::writer& writer, clock const& clk, millis_t interval = default_interval);

  // A request or socket of session s (of user u) authenticated now. Returns true when an
  // update was queued for the writer.
  bool touch(user_id u, session_id s);
  // The session's last_seen_at was just written by someone else (a login): no need again.
  void written(session_id s);

 private:
  store::writer& writer_;
  clock const& clock_;
  millis_t interval_;
  std::mutex mutex_;
  std::unordered_map<std::int64_t, millis_t> written_at_;  // session → last write; guarded by mutex_
};

}  // namespace peerchat::service
