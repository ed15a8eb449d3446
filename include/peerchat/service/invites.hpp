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

// Thread safety: all methods from any worker thread.
class invites {
 public:
  explicit invites(context& ctx) : ctx_(ctx) {}

  result<invite> create(principal const& who, group_id g, int max_uses, std::int64_t expires_in_s);
  result<std::vector<invite>> list(principal const& who, group_id g);
  result<void> revoke(principal const& who, group_id g, std::string_view code);
  result<invite_preview> preview(std::string_view code);
  result<accept_result> accept(principal const& who, std::string_view code);
  // Creates the account, joins it to the group and logs it in, atomically. When `joined`
  // is given, it receives the group as the new member sees it.
  result<login_result> accept_new_account(std::string_view code, std::string_view username,
                                          std::string_view display_name, std::string_view password,
                                          group_summary* joined = nullptr);

 private:
  context& ctx_;
};

}  // namespace peerchat::service
