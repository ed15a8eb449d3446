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
};

// A login: the user and which session (token) authenticated the request.
struct principal {
  peerchat::user user;
  session_id session{};
};

}  // namespace peerchat
