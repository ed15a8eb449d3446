// SPDX-License-Identifier: MIT
// The server admin runs the server's people: list and search, create (with a password or a
// one-time setup link), disable, make or unmake admins, reset links, delete (docs/accounts.md
// "Administration"); and the one-time codes those links carry.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/service/messages.hpp"
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::service {

// One account as the admin sees it.
struct admin_user {
  user_id id{};
  std::string username;
  std::string display_name;
  bool is_admin = false;
  bool disabled = false;
  millis_t created_at = 0;
  std::optional<millis_t> last_seen_at;
};

struct admin_user_page {
  std::vector<admin_user> users;
  std::optional<std::int64_t> next_cursor;  // the last id of this page, when more may follow
};

// A one-time link's code (shown once; the store keeps only its SHA-256).
struct account_code {
  std::string code;
  std::string purpose;  // "reset" or "setup"
  millis_t expires_at = 0;
};

struct created_account {
  admin_user user;
  std::optional<account_code> setup;  // when made without a password
};

// Who a live code belongs to, for the page that greets them.
struct code_holder {
  std::string username;
  std::string display_name;
  std::string purpose;
  millis_t expires_at = 0;
};

// How a deleted user appears everywhere (contract: "Deleted user").
inline constexpr char deleted_display_name[] = "Deleted user";

// Makes a one-time code for u, replacing every older code of u (a new link replaces older
// ones). Writer thread only (also used by the CLI on its own connection).
account_code make_account_code(store::database& db, user_id u, std::string_view purpose, millis_t now);

// Thread safety: all methods from any worker thread (they block on the store).
class user_admin {
 public:
  static constexpr millis_t reset_valid_ms = 24LL * 3600 * 1000;      // a reset link: 24 h
  static constexpr millis_t setup_valid_ms = 7LL * 24 * 3600 * 1000;  // a setup link: 7 days
  static constexpr std::size_t max_query_chars = 64;
  static constexpr int default_page = 50;
  static constexpr int max_page = 200;

  user_admin(context& ctx, service::messages& messages);

  // Every non-deleted account whose username or display name contains q (case-insensitive
  // for ASCII), by id; `after` is the previous page's next_cursor.
  result<admin_user_page> list(principal const& who, std::string_view q, int limit, std::optional<std::int64_t> after);
  // Without a password the account gets a setup code and cannot log in until it is used.
  result<created_account> create(principal const& who, std::string_view username, std::string_view display_name,
                                 std::optional<std::string_view> password, bool is_admin);
  // Disabling ends every session of the user at once (sockets close 4001). The last enabled
  // admin can be neither disabled nor unmade (conflict).
  result<admin_user> update(principal const& who, user_id target, std::optional<bool> disabled,
                            std::optional<bool> is_admin);
  result<account_code> reset_link(principal const& who, user_id target);

  // The reset/setup page: who a live code belongs to (not_found when unknown, used or expired).
  result<code_holder> check_code(std::string_view code, std::string const& client_address);
  // Sets the password through a live code, ends every other session of the user and logs
  // them in; the code is spent.
  result<login_result> use_code(std::string_view code, std::string_view new_password, std::string const& client_address);

  // Deletes an account (the admin's DELETE /admin/users/{id}); erase: their messages are
  // erased like deleted ones.
  result<void> remove(principal const& who, user_id target, bool erase);
  // DELETE /me: the same for oneself, with the password (forbidden when wrong).
  result<void> remove_self(principal const& who, std::string_view password, bool erase);

 private:
  result<void> delete_account(user_id actor, user_id target, bool erase);

  context& ctx_;
  service::messages& messages_;
  rate_limiter code_attempts_;      // per client address: guessing codes costs time
  rate_limiter password_attempts_;  // DELETE /me, per user: like logins
};

}  // namespace peerchat::service
