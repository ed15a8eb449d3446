// SPDX-License-Identifier: MIT
// The JSON shapes of the contract for everything that is not an event.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/domain/group.hpp"
#include "peerchat/domain/invite.hpp"
#include "peerchat/domain/message.hpp"
#include "peerchat/domain/user.hpp"
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace peerchat::protocol {

using ojson = nlohmann::ordered_json;

// {"error":{"code","message"[, "retry_after_ms"]}}
std::string error_body(error const& e);
ojson to_json(user const& u);
// What others may see of a user (the user_updated frame): {user_id, username, display_name,
// about, avatar, avatar_at?}; never is_admin.
ojson public_profile_json(user const& u);
ojson to_json(group_summary const& g);
ojson to_json(group_detail const& g);
ojson to_json(member const& m);
ojson to_json(invite const& inv, std::string const& public_url);
ojson to_json(invite_preview const& p);
ojson to_json(message_view const& m);
ojson to_json(search_hit const& h);

template <class T, class... Extra>
ojson list_json(char const* key, std::vector<T> const& items, Extra const&... extra) {
  ojson arr = ojson::array();
  for (auto const& item : items) arr.push_back(to_json(item, extra...));
  return ojson{{key, std::move(arr)}};
}

}  // namespace peerchat::protocol
