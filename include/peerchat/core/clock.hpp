// SPDX-License-Identifier: MIT
// Time as the services see it: the system clock in production, a manual one in tests.
#pragma once
#include "peerchat/core/ids.hpp"
#include <atomic>

namespace peerchat {

// Thread safety: now() may be called from any thread.
class clock {
 public:
  virtual ~clock() = default;
  virtual millis_t now() const = 0;
};

class system_clock final : public clock {
 public:
  millis_t now() const override;
};

// Thread safety: set/advance and now may race; each is atomic.
class manual_clock final : public clock {
 public:
  explicit manual_clock(millis_t start = 1'700'000'000'000) : now_(start) {}
  millis_t now() const override { return now_.load(); }
  void advance(millis_t ms) { now_ += ms; }
  void set(millis_t ms) { now_ = ms; }

 private:
  std::atomic<millis_t> now_;
};

}  // namespace peerchat
