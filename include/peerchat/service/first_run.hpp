// SPDX-License-Identifier: MIT
// First run: a one-time setup link with which the self-hoster creates the first admin.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/context.hpp"
#include <mutex>
#include <optional>
#include <string>

namespace peerchat::service {

// Thread safety: every method locks mutex_; callable from any worker thread.
//
// The code lives only in memory and in the log line that shows it: a restart before it is
// used makes a new one. It works once, for an hour, and only while the server has no admin,
// so a leaked old log line is worthless.
class first_run {
 public:
  static constexpr millis_t valid_for_ms = 60 * 60 * 1000;

  explicit first_run(context& ctx) : ctx_(ctx) {}

  // When the store has no admin yet, makes the code and returns it; otherwise nullopt.
  std::optional<std::string> begin();
  // The code's expiry when it is the live one; not_found otherwise.
  result<millis_t> check(std::string_view code);
  // Creates the first server admin and logs them in; the code then stops working.
  result<login_result> complete(std::string_view code, std::string_view username, std::string_view display_name,
                                std::string_view password);

 private:
  bool live(std::string_view code, millis_t now) const;  // requires mutex_

  context& ctx_;
  mutable std::mutex mutex_;
  std::string code_hash_;  // SHA-256 of the code; guarded by mutex_; empty when none
  millis_t expires_at_ = 0;
};

}  // namespace peerchat::service
