// SPDX-License-Identifier: MIT
// Token buckets keyed by a string (a user, a username, an address).
#pragma once
#include "peerchat/core/clock.hpp"
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace peerchat {

// Thread safety: every method locks mutex_; callable from any thread.
class rate_limiter {
 public:
  rate_limiter(clock const& clk, double per_second, double burst);

  // Takes one token for key. Returns 0 when allowed, otherwise the milliseconds until a
  // token will be available.
  std::int64_t acquire(std::string const& key);

 private:
  struct bucket {
    double tokens;
    millis_t updated;
  };
  clock const& clock_;
  double per_ms_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;  // guarded by mutex_; pruned when large
};

}  // namespace peerchat
