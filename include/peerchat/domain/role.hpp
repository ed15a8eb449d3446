// SPDX-License-Identifier: MIT
// A member's role in a group, and what each role may do.
#pragma once
#include <optional>
#include <string_view>

namespace peerchat {

enum class role { member = 0, admin = 1, owner = 2 };

std::string_view to_string(role r) noexcept;
std::optional<role> parse_role(std::string_view s) noexcept;

// Owners and admins manage a group: rename it, invite, remove members, delete others' messages.
constexpr bool can_manage(role r) noexcept { return r == role::owner || r == role::admin; }

}  // namespace peerchat
