// SPDX-License-Identifier: MIT
// Invites: the only way into a group.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/domain/group.hpp"
#include "peerchat/domain/invite.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/context.hpp"
#include <vector>

namespace peerchat::service {

struct accept_result {
  group_summary group;
  bool joined = false;  // false when the caller already was a member (no use counted)
};

// An invite works while it is live (not revoked, expired or used up) and its creator may
// still invite: when they leave, are removed or become a plain member, their invites are
// revoked (revoke_invites_of) and, for invites older than that rule, refused at use.
//
// Thread safety: all methods from any worker thread.
class invites {
 public:
  explicit invites(context& ctx);

  result<invite> create(principal const& who, group_id g, int max_uses, std::int64_t expires_in_s);
  result<std::vector<invite>> list(principal const& who, group_id g);
  result<void> revoke(principal const& who, group_id g, std::string_view code);
  result<invite_preview> preview(std::string_view code);
  // Spends the caller's accept budget (rate_limited when over).
  result<accept_result> accept(principal const& who, std::string_view code);
  // Creates the account, joins it to the group and logs it in, atomically. When `joined`
  // is given, it receives the group as the new member sees it. Spends client_address's
  // budget, and answers a dead code or a taken username before paying for the hash.
  result<login_result> accept_new_account(std::string_view code, std::string_view username,
                                          std::string_view display_name, std::string_view password,
                                          std::string const& client_address, group_summary* joined = nullptr);

 private:
  context& ctx_;
  rate_limiter accept_limit_;       // per user
  rate_limiter new_account_limit_;  // per client address
};

// Revokes the invites u made for g (u left, was removed or lost the right to invite).
// Writer thread only.
void revoke_invites_of(store::database& db, group_id g, user_id u);

}  // namespace peerchat::service
