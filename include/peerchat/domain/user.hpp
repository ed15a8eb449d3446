// SPDX-License-Identifier: MIT
// A person with an account on this server.
#pragma once
#include "peerchat/core/ids.hpp"
#include <string>

namespace peerchat {

struct user {
  user_id id{};
  std::string username;
  std::string display_name;
  bool is_admin = false;
  // The profile (issue 13; loaded by service::load_profile, which authenticate and login call).
  std::string about;      // a short line, 0–140 characters ("Implementer, Denver")
  millis_t avatar_at = 0; // when the avatar was last set; 0: no avatar

  bool has_avatar() const noexcept { return avatar_at != 0; }
};

// A login: the user and which session (token) authenticated the request.
struct principal {
  peerchat::user user;
  session_id session{};
};

}  // namespace peerchat
