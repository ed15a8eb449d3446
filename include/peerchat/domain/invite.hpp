// SPDX-License-Identifier: MIT
// An invite: the only way into a group.
#pragma once
#include "peerchat/core/ids.hpp"
#include <string>

namespace peerchat {

struct invite {
  std::string code;
  group_id group{};
  user_id created_by{};
  int max_uses = 1;
  int uses = 0;
  millis_t expires_at = 0;
  bool revoked = false;
  millis_t created_at = 0;

  bool live(millis_t now) const noexcept { return !revoked && uses < max_uses && now < expires_at; }
};

// What anyone holding the code may see before accepting it.
struct invite_preview {
  std::string group_name;
  std::string inviter_display_name;
  millis_t expires_at = 0;
};

}  // namespace peerchat
