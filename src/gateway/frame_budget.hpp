// SPDX-License-Identifier: MIT
// A connection's budget of client frames: a token bucket on the steady clock.
#pragma once
#include "peerchat/core/token_bucket.hpp"
#include <chrono>
#include <cstdint>

namespace peerchat::gateway {

// Thread safety: none; owned by one connection and used on its strand only.
//
// Every client frame but `send` (which has its own per-user limit) spends one token:
// typing, read markers, pings, and invalid frames alike. The bucket starts full.
class frame_budget {
 public:
  using clock = std::chrono::steady_clock;

  frame_budget(double per_second, double burst) : tokens_(per_second, burst), updated_(clock::now()) {}

  // Spends a token. 0 when allowed, otherwise the milliseconds until one is available.
  std::int64_t spend(clock::time_point now = clock::now()) {
    auto wait = tokens_.take(std::chrono::duration<double, std::milli>(now - updated_).count());
    updated_ = now;
    return wait;
  }

 private:
  token_bucket tokens_;
  clock::time_point updated_;
};

}  // namespace peerchat::gateway
