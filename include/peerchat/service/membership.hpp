// SPDX-License-Identifier: MIT
// Membership look-ups shared by the services: who is in a group, with which role.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/ids.hpp"
#include "peerchat/domain/role.hpp"
#include "peerchat/store/database.hpp"
#include <optional>
#include <vector>

namespace peerchat::service {

std::optional<role> role_of(store::database& db, group_id g, user_id u);

// The caller's role, or not_found: a non-member learns nothing, not even that the group exists.
result<role> require_member(store::database& db, group_id g, user_id u);

// The caller's role when it may manage the group (owner/admin); forbidden for other
// members, not_found for non-members.
result<role> require_manager(store::database& db, group_id g, user_id u);

// Every group the user belongs to.
std::vector<group_id> groups_of(store::database& db, user_id u);

}  // namespace peerchat::service
