// SPDX-License-Identifier: MIT
// Who may try a password now: the login budgets by address, by (username, address), and a
// per-username budget across addresses that slows a distributed guess but never locks out.
#pragma once
#include "peerchat/core/clock.hpp"
#include "peerchat/core/config.hpp"
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include <string>
#include <string_view>

namespace peerchat::service {

// Every attempt counts (right or wrong password): each one costs an Argon2id hash.
//
// With `login_per_minute` = L (default 10):
// - per address: 3L a minute (burst 3L) — spraying many usernames from one place;
// - per (username, address): L a minute (burst L) — guessing one password from one place.
//   Ten wrong passwords for alice from X stop X, not alice from her own phone;
// - per username, from every address: 3L a minute (burst 3L). When a distributed guess has
//   spent it, each address may still try that username once a minute (a separate bucket per
//   (username, address)): the guess slows to a crawl, the owner still gets in.
//
// Thread safety: admit() from any thread (each limiter locks itself).
class login_limits {
 public:
  login_limits(clock const& clk, limits const& l);

  // Success, or rate_limited with retry_after_ms. username and address must be short
  // (the caller checks the username's length; the address is cut to 64 bytes).
  result<void> admit(std::string_view username, std::string_view address);

  // Keys held by all tables together; each table holds at most limits::limiter_keys.
  std::size_t keys() const;

 private:
  rate_limiter per_address_;
  rate_limiter per_user_at_address_;
  rate_limiter per_user_;
  rate_limiter slow_user_at_address_;  // only once per_user_ is spent
};

}  // namespace peerchat::service
