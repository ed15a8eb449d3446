// SPDX-License-Identifier: MIT
// Token-bucket rate limiting in a bounded, least-recently-used table.
#include "peerchat/core/rate_limiter.hpp"
#include <algorithm>

namespace peerchat {

rate_limiter::rate_limiter(clock const& clk, double per_second, double burst, std::size_t max_keys)
    : clock_(clk), per_second_(per_second), burst_(burst), max_keys_(std::max<std::size_t>(1, max_keys)) {}

void rate_limiter::drop_expired(millis_t now, int at_most) {
  // The tail is the least recently used end: a full bucket is most likely there. Looking at a
  // few per call keeps every acquire O(1) and still empties the table of idle keys over time.
  for (int i = 0; i < at_most && !lru_.empty() && full(lru_.back(), now); ++i) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

std::int64_t rate_limiter::acquire(std::string const& key) {
  millis_t now = clock_.now();
  std::lock_guard lock(mutex_);
  drop_expired(now, 2);
  auto found = index_.find(key);
  if (found != index_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second);  // now the most recently used
  } else {
    if (lru_.size() >= max_keys_) drop_expired(now, 16);
    while (lru_.size() >= max_keys_) {  // still full of live buckets: forget the oldest
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(bucket{key, token_bucket(per_second_, burst_), now});
    index_.emplace(lru_.front().key, lru_.begin());
  }
  bucket& b = lru_.front();
  auto wait = b.tokens.take(static_cast<double>(now - b.updated));
  b.updated = now;
  return wait;
}

result<void> rate_limiter::spend(std::string const& key, std::string_view message) {
  if (auto wait = acquire(key)) {
    error e = make_error(errc::rate_limited, std::string(message));
    e.retry_after_ms = wait;
    return e;
  }
  return {};
}

std::size_t rate_limiter::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

}  // namespace peerchat
