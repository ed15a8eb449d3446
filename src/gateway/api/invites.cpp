// SPDX-License-Identifier: MIT
// Invites: create, list and revoke (managers), preview and accept (anyone with the code).
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply post_invite(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    auto body = c.req.body.empty() ? result<protocol::json>(boost::system::in_place_value, protocol::json::object()) : c.body();
    if (!body) return error_reply(body.error());
    TRY(max_uses, protocol::optional_int(*body, "max_uses"));
    TRY(expires, protocol::optional_int(*body, "expires_in_s"));
    int uses = max_uses->value_or(1);
    if (*max_uses && (**max_uses < 1 || **max_uses > 1000)) return error_reply(errc::bad_request, "max_uses must be 1–1000");
    TRY(inv, c.a.invites.create(who, g, uses, expires->value_or(604800)));
    return json_reply(201, protocol::to_json(*inv, c.a.public_url));
  });
}

api_reply get_invites(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(list, c.a.invites.list(who, g));
    return json_reply(200, protocol::list_json("invites", *list, c.a.public_url));
  });
}

api_reply delete_invite(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(r, c.a.invites.revoke(who, g, c.params.at(1)));
    return no_content();
  });
}

api_reply get_invite(call& c) {
  TRY(p, c.a.invites.preview(c.params.at(0)));
  return json_reply(200, protocol::to_json(*p));
}

api_reply accept_invite(call& c) {
  std::string const& code = c.params.at(0);
  if (auto who = c.auth()) {
    TRY(r, c.a.invites.accept(*who, code));
    return json_reply(r->joined ? 201 : 200, protocol::to_json(r->group));
  }
  if (c.req.body.empty()) return error_reply(errc::unauthorized, "log in, or send {username, display_name, password} to create an account");
  TRY(body, c.body());
  TRY(username, protocol::required_string(*body, "username"));
  TRY(display, protocol::optional_string(*body, "display_name"));
  TRY(password, protocol::required_string(*body, "password"));
  group_summary joined;
  TRY(r, c.a.invites.accept_new_account(code, *username, display->value_or(*username), *password,
                                        c.req.client_address, &joined));
  api_reply reply = c.logged_in(*r);
  // {token, user} as for a login, plus the group just joined, so the client can open it.
  auto answer = ojson::parse(reply.body);
  answer["group"] = protocol::to_json(joined);
  reply.body = answer.dump();
  return reply;
}
}  // namespace

void add_invite_routes(std::vector<route>& out) {
  out.push_back({"POST", "/groups/{}/invites", post_invite});
  out.push_back({"GET", "/groups/{}/invites", get_invites});
  out.push_back({"DELETE", "/groups/{}/invites/{}", delete_invite});
  out.push_back({"GET", "/invites/{}", get_invite});
  out.push_back({"POST", "/invites/{}/accept", accept_invite});
}

}  // namespace peerchat::gateway::api
