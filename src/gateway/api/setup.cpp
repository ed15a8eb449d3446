// SPDX-License-Identifier: MIT
// First run: check the one-time setup code, create the first admin with it.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply get_setup(call& c) {
  TRY(expires, c.a.setup.check(c.params.at(0)));
  return json_reply(200, ojson{{"expires_at", *expires}});
}

api_reply post_setup(call& c) {
  TRY(body, c.body());
  TRY(username, protocol::required_string(*body, "username"));
  TRY(display, protocol::optional_string(*body, "display_name"));
  TRY(password, protocol::required_string(*body, "password"));
  TRY(r, c.a.setup.complete(c.params.at(0), *username, display->value_or(*username), *password));
  return c.logged_in(*r);
}
}  // namespace

void add_setup_routes(std::vector<route>& out) {
  out.push_back({"GET", "/setup/{}", get_setup});
  out.push_back({"POST", "/setup/{}", post_setup});
}

}  // namespace peerchat::gateway::api
