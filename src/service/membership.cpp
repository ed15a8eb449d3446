// SPDX-License-Identifier: MIT
// Membership look-ups shared by the services.
#include "peerchat/service/membership.hpp"

namespace peerchat::service {

std::optional<role> role_of(store::database& db, group_id g, user_id u) {
  auto& st = db.prepare("SELECT role FROM memberships WHERE group_id = ?1 AND user_id = ?2")
                 .bind(1, raw(g))
                 .bind(2, raw(u));
  if (!st.step()) return std::nullopt;
  auto r = parse_role(st.text_view(0));
  st.reset();
  return r;
}

result<role> require_member(store::database& db, group_id g, user_id u) {
  if (auto r = role_of(db, g, u)) return *r;
  return make_error(errc::not_found, "no such group");
}

result<role> require_manager(store::database& db, group_id g, user_id u) {
  auto r = require_member(db, g, u);
  if (r && !can_manage(*r)) return make_error(errc::forbidden, "only the group's owners and admins may do this");
  return r;
}

std::vector<group_id> groups_of(store::database& db, user_id u) {
  std::vector<group_id> out;
  auto& st = db.prepare("SELECT group_id FROM memberships WHERE user_id = ?1").bind(1, raw(u));
  while (st.step()) out.push_back(group_id{st.int64(0)});
  return out;
}

}  // namespace peerchat::service
