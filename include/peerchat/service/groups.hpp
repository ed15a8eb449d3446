// SPDX-License-Identifier: MIT
// Groups and their members: creation, listing, renaming, roles, removal and leaving.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/domain/group.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <optional>
#include <vector>

namespace peerchat::service {

// Loads one group as `u` sees it (u must be a member), its question figures as of `now`
// included. Any thread with a database.
std::optional<group_summary> load_summary(store::database& db, group_id g, user_id u, millis_t now);

// Thread safety: all methods from any worker thread.
class groups {
 public:
  explicit groups(context& ctx) : ctx_(ctx) {}

  result<group_summary> create(principal const& who, std::string_view name, std::string_view topic);
  result<std::vector<group_summary>> list(principal const& who);
  result<group_detail> get(principal const& who, group_id g);
  result<group_summary> update(principal const& who, group_id g, std::optional<std::string> name,
                               std::optional<std::string> topic);
  result<member> set_role(principal const& who, group_id g, user_id target, role r);
  // Owner/admin removes someone; anyone removes themself (leaves).
  result<void> remove_member(principal const& who, group_id g, user_id target);

 private:
  context& ctx_;
};

}  // namespace peerchat::service
