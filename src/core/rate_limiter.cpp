// SPDX-License-Identifier: MIT
// Token-bucket rate limiting.
#include "peerchat/core/rate_limiter.hpp"
#include <algorithm>
#include <cmath>

namespace peerchat {

rate_limiter::rate_limiter(clock const& clk, double per_second, double burst)
    : clock_(clk), per_ms_(per_second / 1000.0), burst_(std::max(1.0, burst)) {}

std::int64_t rate_limiter::acquire(std::string const& key) {
  millis_t now = clock_.now();
  std::lock_guard lock(mutex_);
  if (buckets_.size() > 100'000) {
    // Drop full buckets: they hold no information a fresh bucket would not.
    std::erase_if(buckets_, [&](auto const& kv) {
      return kv.second.tokens + (now - kv.second.updated) * per_ms_ >= burst_;
    });
  }
  auto [it, inserted] = buckets_.try_emplace(key, bucket{burst_, now});
  bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + std::max<millis_t>(0, now - b.updated) * per_ms_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  if (per_ms_ <= 0) return 60'000;
  return static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / per_ms_));
}

}  // namespace peerchat
