// SPDX-License-Identifier: MIT
// Changing one's own password: the current one is required (and guessing it is limited like a
// login); every other session of the user ends.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/service/login_limits.hpp"
#include <string>
#include <string_view>

namespace peerchat::service {

// Thread safety: change() from any worker thread.
class passwords {
 public:
  explicit passwords(context& ctx);

  // bad_request: a current password over 1024 bytes, a new one outside 10–1024 bytes;
  // rate_limited: too many attempts (the login budgets, keyed by username and client_address);
  // forbidden: the current password is wrong (not unauthorized: the session itself is fine).
  // On success the password hash is replaced and every other session of the user ends
  // (push subscriptions deleted, sockets closed with 4001); the calling session stays.
  result<void> change(principal const& who, std::string_view current, std::string_view next,
                      std::string const& client_address);

 private:
  context& ctx_;
  login_limits limits_;  // its own budgets: a session holder guessing its password
};

}  // namespace peerchat::service
