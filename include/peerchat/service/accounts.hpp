// SPDX-License-Identifier: MIT
// Accounts and sessions: creating users, logging in and out, authenticating tokens.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/service/last_seen.hpp"
#include "peerchat/service/login_limits.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <optional>
#include <string>
#include <vector>

namespace peerchat::service {

struct login_result {
  std::string token;  // shown once; the store keeps only its SHA-256
  peerchat::user user;
  session_id session{};
};

// Creates a session row for u and returns its token. Writer thread only.
std::string create_session(store::database& db, user_id u, millis_t now, std::int64_t days,
                           session_id* created = nullptr);
// Ends a session in the store: its row and its push subscriptions go (the token stops
// working at once). Every way a session ends goes through here. Writer thread only; the
// caller then closes its sockets (hooks.session_ended).
void end_session(store::database& db, session_id s);
// Ends every session of u but `keep` (a password change keeps the one that made it) through
// end_session; returns them, so that the caller, after the commit, closes their sockets
// (hooks.session_ended for each). Writer thread only.
std::vector<session_id> end_sessions_of(store::database& db, user_id u, std::optional<session_id> keep = std::nullopt);
// Inserts a user whose password is already hashed. Writer thread only; conflict when taken.
result<user> insert_user(store::database& db, std::string const& username,
                         std::string const& display_name, std::string const& password_hash,
                         bool is_admin, millis_t now);

// Thread safety: all methods from any worker thread.
class accounts {
 public:
  explicit accounts(context& ctx);

  result<user> create_user(std::string_view username, std::string_view display_name,
                           std::string_view password, bool is_admin);
  // client_address keys the per-address limits (see login_limits). A username over 32 bytes
  // or a password over 1024 bytes is bad_request before anything else.
  result<login_result> login(std::string_view username, std::string_view password,
                             std::string const& client_address);
  result<principal> authenticate(std::string_view token);
  // Ends the session: the token stops working at once and its sockets close with 4001.
  result<void> logout(principal const& who);

  // Login budget keys held now, all tables together (bounded; for /metrics and tests).
  std::size_t login_limiter_keys() const { return limits_.keys(); }
  // authenticate() marks the session (and its user) seen here, at most every few minutes.
  service::last_seen& last_seen_writes() { return seen_; }

  static constexpr std::size_t max_username_bytes = 32;  // the contract's username limit
  static constexpr std::size_t max_password_bytes = 1024;

 private:
  context& ctx_;
  login_limits limits_;
  std::string dummy_hash_;  // verified against for unknown users, so timing reveals nothing
  service::last_seen seen_;
};

}  // namespace peerchat::service
