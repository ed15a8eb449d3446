// SPDX-License-Identifier: MIT
// One's own account: the profile (PATCH /me), the password (POST /me/password), the avatar
// (DELETE /me/avatar; PUT arrives streamed: attachment_requests.cpp), and others' avatars
// (GET /users/{id}/avatar).
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply change_password(call& c) {
  TRY(who, c.auth());
  TRY(body, c.body());
  TRY(current, protocol::required_string(*body, "current_password"));
  TRY(next, protocol::required_string(*body, "new_password"));
  TRY(r, c.a.backend.passwords.change(*who, *current, *next, c.req.client_address));
  return no_content();
}

api_reply patch_me(call& c) {
  TRY(who, c.auth());
  TRY(body, c.body());
  TRY(name, protocol::optional_string(*body, "display_name"));
  TRY(about, protocol::optional_string(*body, "about"));
  auto as_view = [](std::optional<std::string> const& s) { return s ? std::optional<std::string_view>(*s) : std::nullopt; };
  TRY(updated, c.a.backend.profiles.update(who->user.id, as_view(*name), as_view(*about)));
  c.a.hub.user_updated(*updated);
  return json_reply(200, protocol::to_json(*updated));
}

api_reply delete_avatar(call& c) {
  TRY(who, c.auth());
  TRY(r, c.a.backend.avatars.remove(who->user));
  user without = who->user;
  without.avatar_at = 0;
  c.a.hub.user_updated(without);
  return no_content();
}

// The image, privately cacheable: a URL with ?v=<avatar_at> names one version and may be kept
// for a year; without it the browser revalidates with the ETag (304 when unchanged).
api_reply get_avatar(call& c) {
  TRY(who, c.auth());
  TRY(id, c.id_param(0));
  TRY(size, c.query_int("size", 1, 4096));
  int px = static_cast<int>(size->value_or(256));
  if (px != 64 && px != 256) return error_reply(errc::bad_request, "size must be 64 or 256");
  TRY(image, c.a.backend.avatars.get(who->user, user_id{*id}, px));
  std::string etag = "\"avatar-" + std::to_string(image->updated_at) + "-" + std::to_string(px) + "\"";
  auto v = c.query.find("v");
  bool versioned = v != c.query.end() && v->second == std::to_string(image->updated_at);
  api_reply reply{200, {}, {}, {}};
  reply.headers.emplace_back("ETag", etag);
  reply.headers.emplace_back("Cache-Control", versioned ? "private, max-age=31536000, immutable" : "private, no-cache");
  if (c.req.if_none_match == etag) {
    reply.status = 304;
    return reply;
  }
  reply.body = std::move(image->bytes);
  reply.headers.emplace_back("Content-Type", image->mime);
  return reply;
}
}  // namespace

void add_profile_routes(std::vector<route>& out) {
  out.push_back({"POST", "/me/password", change_password});
  out.push_back({"PATCH", "/me", patch_me});
  out.push_back({"DELETE", "/me/avatar", delete_avatar});
  out.push_back({"GET", "/users/{}/avatar", get_avatar});
}

}  // namespace peerchat::gateway::api
