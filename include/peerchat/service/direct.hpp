// SPDX-License-Identifier: MIT
// Direct conversations: a group of kind "direct" with exactly two members, one per pair of
// people, started only with someone one already shares a group with.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/role.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/store/database.hpp"
#include <string_view>

namespace peerchat::service {

// The caller's role in a group that is an ordinary group (kind "group"): not_found for a
// non-member, bad_request in a direct conversation, where `what` (e.g. "renamed") is not
// possible for anyone (no invites, role changes, renames or member changes there).
result<role> require_member_of_group(store::database& db, group_id g, user_id u, std::string_view what);

struct direct_opened {
  group_id group{};
  bool created = false;  // false: the pair had its conversation already
};

// Thread safety: all methods from any worker thread (they block on the store).
class direct {
 public:
  explicit direct(context& ctx)
      : ctx_(ctx),
        open_limit_(ctx.clock, ctx.config.limits.direct_per_minute / 60.0, ctx.config.limits.direct_burst,
                    ctx.config.limits.limiter_keys) {}

  // POST /direct: the conversation of the caller and `other`, made when the pair has none.
  // bad_request with oneself; not_found for an unknown or deleted user, or one the caller
  // shares no group with; forbidden when `other` has blocked the caller. Unique per pair
  // even under concurrent requests: the check and the insert run in one write job, and the
  // direct_pairs primary key backs it. Spends the caller's budget first (rate_limited).
  result<direct_opened> open(principal const& who, user_id other);

 private:
  context& ctx_;
  rate_limiter open_limit_;  // per user: one asking for every member of a server is slowed down
};

}  // namespace peerchat::service
