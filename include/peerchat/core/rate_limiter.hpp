// SPDX-License-Identifier: MIT
// Token buckets keyed by a string (a user, a username, an address), in a bounded table.
#pragma once
#include "peerchat/core/clock.hpp"
#include "peerchat/core/error.hpp"
#include "peerchat/core/token_bucket.hpp"
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace peerchat {

// One budget: `per_second` tokens refill a bucket of `burst` tokens; each acquire takes one.
//
// The table never holds more than max_keys buckets, whatever the keys a client makes up:
// a bucket that has refilled to full says nothing a fresh one would not, so it is dropped
// ("expired"); when the table is still full, the least recently used bucket goes. Forgetting
// a bucket can only be generous (its key starts again with a full burst), never unfair.
// Keys are copied: callers keep them short (validated lengths, ids, addresses).
//
// Thread safety: every method locks mutex_; callable from any thread.
class rate_limiter {
 public:
  static constexpr std::size_t default_max_keys = 10'000;

  rate_limiter(clock const& clk, double per_second, double burst, std::size_t max_keys = default_max_keys);

  // Takes one token for key. Returns 0 when allowed, otherwise the milliseconds until a
  // token will be available (a refused attempt costs nothing).
  std::int64_t acquire(std::string const& key);

  // acquire() as a result: success, or errc::rate_limited with `message` and retry_after_ms.
  result<void> spend(std::string const& key, std::string_view message);

  // Buckets held now (at most max_keys).
  std::size_t size() const;

 private:
  struct bucket {
    std::string key;
    token_bucket tokens;
    millis_t updated;
  };
  using lru_list = std::list<bucket>;

  static bool full(bucket const& b, millis_t now) { return b.tokens.full(static_cast<double>(now - b.updated)); }
  void drop_expired(millis_t now, int at_most);  // mutex_ held

  clock const& clock_;
  double per_second_;
  double burst_;
  std::size_t max_keys_;
  mutable std::mutex mutex_;
  lru_list lru_;                                                   // guarded; most recent first
  std::unordered_map<std::string_view, lru_list::iterator> index_;  // guarded; views into lru_ keys
};

}  // namespace peerchat
