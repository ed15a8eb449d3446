// SPDX-License-Identifier: MIT
// Token-bucket rate limiting in a bounded, least-recently-used table.
#include "peerchat/core/rate_limiter.hpp"
#include <algorithm>
#include <cmath>

namespace peerchat {

rate_limiter::rate_limiter(clock const& clk, double per_second, double burst, std::size_t max_keys)
    : clock_(clk), per_ms_(per_second / 1000.0), burst_(std::max(1.0, burst)), max_keys_(std::max<std::size_t>(1, max_keys)) {}

double rate_limiter::tokens_at(bucket const& b, millis_t now) const {
  return std::min(burst_, b.tokens + static_cast<double>(std::max<millis_t>(0, now - b.updated)) * per_ms_);
}

void rate_limiter::drop_expired(millis_t now, int at_most) {
  // The tail is the least recently used end: a full bucket is most likely there. Looking at a
  // few per call keeps every acquire O(1) and still empties the table of idle keys over time.
  for (int i = 0; i < at_most && !lru_.empty() && tokens_at(lru_.back(), now) >= burst_; ++i) {
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
    lru_.push_front(bucket{key, burst_, now});
    index_.emplace(lru_.front().key, lru_.begin());
  }
  bucket& b = lru_.front();
  b.tokens = tokens_at(b, now);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  if (per_ms_ <= 0) return 60'000;
  return static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / per_ms_));
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
