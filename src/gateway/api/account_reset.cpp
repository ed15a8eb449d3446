// SPDX-License-Identifier: MIT
// One-time reset and setup links (no auth: the code is the credential): who it is for, and
// setting the password through it, which logs the person in.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply get_code(call& c) {
  TRY(holder, c.a.user_admin.check_code(c.params.at(0), c.req.client_address));
  return json_reply(200, ojson{{"username", holder->username},
                               {"display_name", holder->display_name},
                               {"purpose", holder->purpose},
                               {"expires_at", holder->expires_at}});
}

api_reply post_code(call& c) {
  TRY(body, c.body());
  TRY(password, protocol::required_string(*body, "new_password"));
  TRY(r, c.a.user_admin.use_code(c.params.at(0), *password, c.req.client_address));
  return c.logged_in(*r);
}
}  // namespace

void add_account_reset_routes(std::vector<route>& out) {
  out.push_back({"GET", "/account/reset/{}", get_code});
  out.push_back({"POST", "/account/reset/{}", post_code});
}

}  // namespace peerchat::gateway::api
