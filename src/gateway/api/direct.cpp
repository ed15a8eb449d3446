// SPDX-License-Identifier: MIT
// Direct conversations: POST /direct starts one (or finds the pair's).
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply post_direct(call& c) {
  TRY(who, c.auth());
  TRY(body, c.body());
  TRY(other, protocol::required_int(*body, "user_id"));
  if (*other <= 0) return error_reply(errc::not_found, "no such user");
  TRY(opened, c.a.direct.open(*who, user_id{*other}));
  // Answered like GET /groups/{id}: the conversation with its two members and `peer`.
  TRY(d, c.a.groups.get(*who, opened->group));
  return json_reply(opened->created ? 201 : 200, protocol::to_json(*d));
}
}  // namespace

void add_direct_routes(std::vector<route>& out) { out.push_back({"POST", "/direct", post_direct}); }

}  // namespace peerchat::gateway::api
