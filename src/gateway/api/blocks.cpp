// SPDX-License-Identifier: MIT
// Blocks: PUT/DELETE /users/{id}/block, GET /me/blocks.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply put_block(call& c) {
  TRY(who, c.auth());
  TRY(other, c.id_param(0));
  TRY(r, c.a.blocks.block(*who, user_id{*other}));
  return no_content();
}

api_reply delete_block(call& c) {
  TRY(who, c.auth());
  TRY(other, c.id_param(0));
  TRY(r, c.a.blocks.unblock(*who, user_id{*other}));
  return no_content();
}

api_reply get_blocks(call& c) {
  TRY(who, c.auth());
  TRY(list, c.a.blocks.list(*who));
  ojson arr = ojson::array();
  for (auto const& b : *list)
    arr.push_back({{"user_id", raw(b.user)}, {"username", b.username}, {"display_name", b.display_name},
                   {"created_at", b.created_at}});
  return json_reply(200, ojson{{"blocks", std::move(arr)}});
}
}  // namespace

void add_block_routes(std::vector<route>& out) {
  out.push_back({"PUT", "/users/{}/block", put_block});
  out.push_back({"DELETE", "/users/{}/block", delete_block});
  out.push_back({"GET", "/me/blocks", get_blocks});
}

}  // namespace peerchat::gateway::api
