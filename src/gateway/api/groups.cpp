// SPDX-License-Identifier: MIT
// Groups and their members: create, list, read, rename, roles, removal.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply post_group(call& c) {
  TRY(who, c.auth());
  TRY(body, c.body());
  TRY(name, protocol::required_string(*body, "name"));
  TRY(topic, protocol::optional_string(*body, "topic"));
  TRY(g, c.a.groups.create(*who, *name, topic->value_or("")));
  return json_reply(201, protocol::to_json(*g));
}

api_reply get_groups(call& c) {
  TRY(who, c.auth());
  TRY(list, c.a.groups.list(*who));
  auto body = protocol::list_json("groups", *list);
  body["epoch"] = c.a.backend.epoch();  // the database's epoch (docs/api.md): new after every restore
  return json_reply(200, body);
}

api_reply get_group(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(d, c.a.groups.get(who, g));
    return json_reply(200, protocol::to_json(*d));
  });
}

api_reply patch_group(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(name, protocol::optional_string(*body, "name"));
    TRY(topic, protocol::optional_string(*body, "topic"));
    TRY(r, c.a.groups.update(who, g, *name, *topic));
    return json_reply(200, protocol::to_json(*r));
  });
}

api_reply patch_member(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(target, c.id_param(1));
    TRY(body, c.body());
    TRY(role_name, protocol::required_string(*body, "role"));
    auto r = parse_role(*role_name);
    if (!r) return error_reply(errc::bad_request, "role must be owner, admin or member");
    TRY(m, c.a.groups.set_role(who, g, user_id{*target}, *r));
    return json_reply(200, protocol::to_json(*m));
  });
}

api_reply delete_member(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(target, c.id_param(1));
    TRY(r, c.a.groups.remove_member(who, g, user_id{*target}));
    return no_content();
  });
}
}  // namespace

void add_group_routes(std::vector<route>& out) {
  out.push_back({"POST", "/groups", post_group});
  out.push_back({"GET", "/groups", get_groups});
  out.push_back({"GET", "/groups/{}", get_group});
  out.push_back({"PATCH", "/groups/{}", patch_group});
  out.push_back({"PATCH", "/groups/{}/members/{}", patch_member});
  out.push_back({"DELETE", "/groups/{}/members/{}", delete_member});
}

}  // namespace peerchat::gateway::api
