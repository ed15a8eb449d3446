// SPDX-License-Identifier: MIT
// One token bucket: the refill-and-spend arithmetic every rate limit of ours shares.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace peerchat {

// `per_second` tokens refill a bucket of `burst` tokens (at least 1); it starts full. The
// caller keeps the time and passes the milliseconds elapsed since its previous call, so the
// same bucket serves the manual clock of the services and the steady clock of a connection.
//
// Thread safety: none; the owner serializes calls.
class token_bucket {
 public:
  token_bucket(double per_second, double burst)
      : per_ms_(per_second / 1000.0), burst_(std::max(1.0, burst)), tokens_(burst_) {}

  // The tokens there would be after `elapsed_ms` more of refill (never above the burst).
  double level(double elapsed_ms) const { return std::min(burst_, tokens_ + std::max(0.0, elapsed_ms) * per_ms_); }
  // Whether it would be full again: then it says nothing a fresh bucket would not.
  bool full(double elapsed_ms) const { return level(elapsed_ms) >= burst_; }

  // Refills for `elapsed_ms`, then takes one token. Returns 0 when allowed, otherwise the
  // milliseconds until a token will be there (a refused attempt costs nothing).
  std::int64_t take(double elapsed_ms) {
    tokens_ = level(elapsed_ms);
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return 0;
    }
    if (per_ms_ <= 0) return 60'000;
    return static_cast<std::int64_t>(std::ceil((1.0 - tokens_) / per_ms_));
  }

 private:
  double per_ms_;
  double burst_;
  double tokens_;
};

}  // namespace peerchat
