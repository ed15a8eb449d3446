// SPDX-License-Identifier: MIT
// User administration (server admins): list, create, disable, admin rights, reset links,
// deletion; and deleting one's own account (DELETE /me).
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
ojson admin_user_json(service::admin_user const& u) {
  return {{"id", raw(u.id)},
          {"username", u.username},
          {"display_name", u.display_name},
          {"is_admin", u.is_admin},
          {"disabled", u.disabled},
          {"created_at", u.created_at},
          {"last_seen_at", u.last_seen_at ? ojson(*u.last_seen_at) : ojson(nullptr)}};
}

// The link a code makes: /reset/<code> for a forgotten password, /welcome/<code> for a new
// account (/setup/<code> is the first-run page, whose code is another thing).
std::string code_url(call const& c, service::account_code const& code) {
  return c.a.public_url + (code.purpose == "setup" ? "/welcome/" : "/reset/") + code.code;
}

result<std::optional<bool>> optional_bool(protocol::json const& body, char const* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<bool>{};
  if (!it->is_boolean()) return make_error(errc::bad_request, std::string(key) + " must be true or false");
  return std::optional<bool>{it->get<bool>()};
}

// ?erase=true|false (absent: false).
result<bool> erase_param(call const& c) {
  auto it = c.query.find("erase");
  if (it == c.query.end() || it->second == "false" || it->second.empty()) return false;
  if (it->second == "true") return true;
  return make_error(errc::bad_request, "erase must be true or false");
}

api_reply get_users(call& c) {
  TRY(who, c.auth());
  TRY(limit, c.query_int("limit", 1, service::user_admin::max_page));
  TRY(cursor, c.query_int("cursor", 1, INT64_MAX));
  std::string q;
  if (auto it = c.query.find("q"); it != c.query.end()) q = it->second;
  TRY(page, c.a.user_admin.list(*who, q, static_cast<int>(limit->value_or(service::user_admin::default_page)), *cursor));
  ojson users = ojson::array();
  for (auto const& u : page->users) users.push_back(admin_user_json(u));
  return json_reply(200, ojson{{"users", std::move(users)},
                               {"next_cursor", page->next_cursor ? ojson(std::to_string(*page->next_cursor)) : ojson(nullptr)}});
}

api_reply post_user(call& c) {
  TRY(who, c.auth());
  if (!who->user.is_admin) return error_reply(errc::forbidden, "only server admins may manage users");
  TRY(body, c.body());
  TRY(username, protocol::required_string(*body, "username"));
  TRY(display, protocol::optional_string(*body, "display_name"));
  TRY(password, protocol::optional_string(*body, "password"));
  TRY(is_admin, optional_bool(*body, "is_admin"));
  std::optional<std::string_view> pw;
  if (*password) pw = **password;
  TRY(made, c.a.user_admin.create(*who, *username, display->value_or(""), pw, is_admin->value_or(false)));
  ojson out = admin_user_json(made->user);
  if (made->setup) {
    out["setup_url"] = code_url(c, *made->setup);
    out["setup_expires_at"] = made->setup->expires_at;
  }
  return json_reply(201, out);
}

api_reply patch_user(call& c) {
  TRY(who, c.auth());
  if (!who->user.is_admin) return error_reply(errc::forbidden, "only server admins may manage users");
  TRY(id, c.id_param(0));
  TRY(body, c.body());
  TRY(disabled, optional_bool(*body, "disabled"));
  TRY(is_admin, optional_bool(*body, "is_admin"));
  TRY(u, c.a.user_admin.update(*who, user_id{*id}, *disabled, *is_admin));
  return json_reply(200, admin_user_json(*u));
}

api_reply post_reset_link(call& c) {
  TRY(who, c.auth());
  if (!who->user.is_admin) return error_reply(errc::forbidden, "only server admins may manage users");
  TRY(id, c.id_param(0));
  TRY(code, c.a.user_admin.reset_link(*who, user_id{*id}));
  return json_reply(201, ojson{{"url", code_url(c, *code)}, {"expires_at", code->expires_at}});
}

api_reply delete_user(call& c) {
  TRY(who, c.auth());
  if (!who->user.is_admin) return error_reply(errc::forbidden, "only server admins may manage users");
  TRY(id, c.id_param(0));
  TRY(erase, erase_param(c));
  TRY(r, c.a.user_admin.remove(*who, user_id{*id}, *erase));
  return no_content();
}

api_reply delete_me(call& c) {
  TRY(who, c.auth());
  TRY(erase, erase_param(c));
  TRY(body, c.body());
  TRY(password, protocol::required_string(*body, "password"));
  TRY(r, c.a.user_admin.remove_self(*who, *password, *erase));
  api_reply reply = no_content();
  reply.headers.emplace_back("Set-Cookie", c.session_cookie("", 0));
  return reply;
}
}  // namespace

void add_admin_user_routes(std::vector<route>& out) {
  out.push_back({"GET", "/admin/users", get_users});
  out.push_back({"POST", "/admin/users", post_user});
  out.push_back({"PATCH", "/admin/users/{}", patch_user});
  out.push_back({"DELETE", "/admin/users/{}", delete_user});
  out.push_back({"POST", "/admin/users/{}/reset-link", post_reset_link});
  out.push_back({"DELETE", "/me", delete_me});
}

}  // namespace peerchat::gateway::api
