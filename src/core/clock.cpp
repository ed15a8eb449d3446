// SPDX-License-Identifier: MIT
// The production clock.
#include "peerchat/core/clock.hpp"
#include <chrono>

namespace peerchat {
millis_t system_clock::now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace peerchat
