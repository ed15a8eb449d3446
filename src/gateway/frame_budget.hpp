// SPDX-License-Identifier: MIT
// A connection's budget of client frames: a token bucket on the steady clock.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace peerchat::gateway {

// Thread safety: none; owned by one connection and used on its strand only.
//
// Every client frame but `send` (which has its own per-user limit) spends one token:
// typing, read markers, pings, and invalid frames alike. The bucket starts full.
class frame_budget {
 public:
  using clock = std::chrono::steady_clock;

  frame_budget(double per_second, double burst)
      : per_second_(per_second), burst_(std::max(1.0, burst)), tokens_(burst_), updated_(clock::now()) {}

  // Spends a token. 0 when allowed, otherwise the milliseconds until one is available.
  std::int64_t spend(clock::time_point now = clock::now()) {
    double elapsed = std::chrono::duration<double>(now - updated_).count();
    tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed) * per_second_);
    updated_ = now;
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return 0;
    }
    if (per_second_ <= 0) return 60'000;
    return static_cast<std::int64_t>(std::ceil((1.0 - tokens_) / per_second_ * 1000.0));
  }

 private:
  double per_second_;
  double burst_;
  double tokens_;
  clock::time_point updated_;
};

}  // namespace peerchat::gateway
