// SPDX-License-Identifier: MIT
// Profiles: one's display name and "about" line (PATCH /me), and the profile fields every
// user object carries (about, avatar).
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/store/database.hpp"
#include <optional>
#include <string>
#include <string_view>

namespace peerchat::service {

// Fills u.about and u.avatar_at from the store (any connection, any thread that holds it).
void load_profile(store::database& db, user& u);

// The user as clients see them (with the profile), read on the given connection; nullopt for
// an unknown id.
std::optional<user> load_user(store::database& db, user_id id);

// 0–140 characters after trimming, one line: no control characters (C0, DEL, C1).
result<std::string> check_about(std::string_view s);

// Thread safety: all methods from any worker thread.
class profiles {
 public:
  static constexpr std::size_t max_about_chars = 140;

  explicit profiles(context& ctx);

  // The user as clients see them (with the profile). not_found for an unknown id.
  result<user> get(user_id u);
  // Changes what is given (display_name: 1–64 characters, about: 0–140, both trimmed);
  // returns the user. Nothing given changes nothing (still 200 with the user).
  result<user> update(user_id u, std::optional<std::string_view> display_name, std::optional<std::string_view> about);

 private:
  context& ctx_;
};

}  // namespace peerchat::service
