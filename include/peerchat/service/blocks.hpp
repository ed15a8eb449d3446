// SPDX-License-Identifier: MIT
// Blocks between two people: a blocked user cannot start, or send in, a direct conversation
// with the one who blocked them (ordinary groups are not affected).
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/domain/role.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/store/database.hpp"
#include <string>
#include <vector>

namespace peerchat::service {

enum class block_state { none, you_blocked_them, they_blocked_you };

// Whether `me` and `other` have blocked each other; they_blocked_you wins when both did.
block_state block_between(store::database& db, user_id me, user_id other);

// The membership check of a send: the sender's role, not_found for a non-member, and in a
// direct conversation forbidden when either side blocked the other. Ordinary groups cost the
// one statement the plain membership check costs; only direct ones look at blocks.
result<role> require_sender(store::database& db, group_id g, user_id u);

struct blocked_user {
  user_id user{};
  std::string username;
  std::string display_name;
  millis_t created_at = 0;  // when the caller blocked them
};

// Thread safety: all methods from any worker thread (they block on the store).
class blocks {
 public:
  explicit blocks(context& ctx) : ctx_(ctx) {}

  // PUT /users/{id}/block: idempotent. not_found unless the caller shares a group or a direct
  // conversation with them; bad_request for oneself.
  result<void> block(principal const& who, user_id other);
  // DELETE /users/{id}/block: idempotent. not_found when neither a block nor a shared group
  // exists (a block outlives shared groups: it can always be lifted).
  result<void> unblock(principal const& who, user_id other);
  // GET /me/blocks: the people the caller blocked, most recent first.
  result<std::vector<blocked_user>> list(principal const& who);

 private:
  context& ctx_;
};

}  // namespace peerchat::service
