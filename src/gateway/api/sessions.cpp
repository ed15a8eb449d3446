// SPDX-License-Identifier: MIT
// Sessions and the current user: log in, log out, who am I.
#include "call.hpp"
#include "notifications_json.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply post_session(call& c) {
  TRY(body, c.body());
  TRY(username, protocol::required_string(*body, "username"));
  TRY(password, protocol::required_string(*body, "password"));
  TRY(r, c.a.accounts.login(*username, *password, c.req.client_address));
  return c.logged_in(*r);
}

api_reply delete_session(call& c) {
  TRY(who, c.auth());
  TRY(r, c.a.accounts.logout(*who));
  api_reply reply = no_content();
  reply.headers.emplace_back("Set-Cookie", c.session_cookie("", 0));
  return reply;
}

api_reply get_me(call& c) {
  TRY(who, c.auth());
  TRY(quiet, c.a.notifications.get_quiet_hours(who->user.id));
  auto me = protocol::to_json(who->user);
  me["quiet_hours"] = quiet_hours_json(*quiet);
  me["can_create_groups"] = c.a.cfg.may_create_groups(who->user.is_admin);  // --group-creation
  return json_reply(200, me);
}
}  // namespace

void add_session_routes(std::vector<route>& out) {
  out.push_back({"POST", "/sessions", post_session});
  out.push_back({"DELETE", "/sessions/current", delete_session});
  out.push_back({"GET", "/me", get_me});
}

}  // namespace peerchat::gateway::api
