// SPDX-License-Identifier: MIT
// Who a message body mentions: `@username` words naming members, and `@all` from managers.
#pragma once
#include "peerchat/core/ids.hpp"
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::service {

struct mention_candidate {
  user_id user{};
  std::string username;  // lower case, as stored
};

// The members the body mentions, in order of first mention, never the sender, each once.
// A mention is `@` + a username, where the `@` starts the text or follows a character that
// cannot be part of a username (so `x@bob.com` is an address, not a mention). Case does not
// matter. Trailing `.`, `-` and `_` are dropped until the name is a member's (`@bob.` is bob,
// unless a member is called `bob.`). `@all` mentions every member when `may_mention_all`
// (the sender is an owner or admin of the group); otherwise it is plain text.
// A pure function: no store, no clock (unit-tested in tests/unit/mentions_test.cpp).
std::vector<user_id> find_mentions(std::string_view body, std::vector<mention_candidate> const& members,
                                   user_id sender, bool may_mention_all);

}  // namespace peerchat::service
