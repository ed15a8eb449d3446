// SPDX-License-Identifier: MIT
// The login budgets.
#include "peerchat/service/login_limits.hpp"

namespace peerchat::service {

namespace {
constexpr char refused[] = "too many login attempts; try again later";
constexpr std::size_t max_address_bytes = 64;  // an IPv6 text address is at most 45
}  // namespace

login_limits::login_limits(clock const& clk, limits const& l)
    : per_address_(clk, 3 * l.login_per_minute / 60.0, 3 * l.login_per_minute, l.limiter_keys),
      per_user_at_address_(clk, l.login_per_minute / 60.0, l.login_per_minute, l.limiter_keys),
      per_user_(clk, 3 * l.login_per_minute / 60.0, 3 * l.login_per_minute, l.limiter_keys),
      slow_user_at_address_(clk, 1.0 / 60.0, 1, l.limiter_keys) {}

result<void> login_limits::admit(std::string_view username, std::string_view address) {
  std::string addr(address.substr(0, max_address_bytes));
  // An address never holds a '|', so the pair key is unambiguous whatever the username holds.
  std::string pair = addr + "|" + std::string(username);
  if (auto r = per_address_.spend(addr, refused); !r) return r;
  if (auto r = per_user_at_address_.spend(pair, refused); !r) return r;
  if (per_user_.acquire(std::string(username)) == 0) return {};
  // Many addresses have tried this username lately: slow down, but never lock out.
  return slow_user_at_address_.spend(pair, refused);
}

std::size_t login_limits::keys() const {
  return per_address_.size() + per_user_at_address_.size() + per_user_.size() + slow_user_at_address_.size();
}

}  // namespace peerchat::service
