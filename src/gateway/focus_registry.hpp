// SPDX-License-Identifier: MIT
// Which group each connection shows in the foreground (the `focus` frame), so the push
// dispatcher does not buzz a phone for the group its user is reading.
#pragma once
#include "peerchat/core/ids.hpp"
#include <chrono>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace peerchat::gateway {

class connection;

// Thread safety: every method locks mutex_ briefly; callable from any thread (I/O threads
// set and clear, the push dispatcher asks fresh()).
//
// Bounded: at most one focus per connection (a new one replaces it), and a connection's
// entry is removed when it closes; so entries ≤ open connections.
class focus_registry {
 public:
  explicit focus_registry(std::chrono::milliseconds lifetime) : lifetime_(lifetime) {}

  // The connection shows group g from `now`, until now + lifetime unless renewed.
  void set(connection const* c, user_id u, group_id g, millis_t now);
  // The connection shows no group (focus null, or the connection closed).
  void clear(connection const* c, user_id u);
  // True when some connection of u has a focus on g that has not expired at `now`.
  bool fresh(user_id u, group_id g, millis_t now) const;
  std::size_t size() const;

 private:
  struct entry {
    connection const* conn;
    group_id group;
    millis_t expires_at;
  };
  std::chrono::milliseconds lifetime_;
  mutable std::mutex mutex_;
  std::unordered_map<user_id, std::vector<entry>> by_user_;  // guarded by mutex_
};

}  // namespace peerchat::gateway
