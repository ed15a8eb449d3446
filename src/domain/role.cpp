// SPDX-License-Identifier: MIT
// Role names on the wire and in the store.
#include "peerchat/domain/role.hpp"

namespace peerchat {

std::string_view to_string(role r) noexcept {
  switch (r) {
    case role::owner: return "owner";
    case role::admin: return "admin";
    case role::member: return "member";
  }
  return "member";
}

std::optional<role> parse_role(std::string_view s) noexcept {
  if (s == "owner") return role::owner;
  if (s == "admin") return role::admin;
  if (s == "member") return role::member;
  return std::nullopt;
}

}  // namespace peerchat
