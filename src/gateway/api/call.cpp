// SPDX-License-Identifier: MIT
// The helpers every route handler shares.
#include "call.hpp"

namespace peerchat::gateway::api {

api_reply json_reply(int status, std::string body) { return {status, std::move(body), {}, {}}; }
api_reply json_reply(int status, ojson const& j) { return {status, j.dump(), {}, {}}; }
api_reply no_content() { return {204, {}, {}, {}}; }

api_reply error_reply(error const& e) {
  api_reply r{http_status(e.code), protocol::error_body(e), {}, {}};
  if (e.code == errc::rate_limited)
    r.headers.emplace_back("Retry-After", std::to_string((e.retry_after_ms + 999) / 1000));
  return r;
}

api_reply error_reply(errc code, std::string message) { return error_reply(make_error(code, std::move(message))); }

result<principal> call::auth() const { return a.accounts.authenticate(token_of(req.authorization, req.cookie)); }

result<protocol::json> call::body() const {
  if (req.body.empty()) return make_error(errc::bad_request, "a JSON body is required");
  return protocol::parse_object(req.body, a.cfg.limits.json_depth);
}

result<std::int64_t> call::id_param(std::size_t i) const {
  auto v = parse_int(params.at(i));
  if (!v || *v <= 0) return make_error(errc::not_found, "not found");
  return *v;
}

result<std::optional<std::int64_t>> call::query_int(char const* name, std::int64_t min, std::int64_t max) const {
  auto it = query.find(name);
  if (it == query.end() || it->second.empty()) return std::optional<std::int64_t>{};
  auto v = parse_int(it->second);
  if (!v || *v < min || *v > max)
    return make_error(errc::bad_request, std::string("query parameter '") + name + "' must be an integer in " +
                                             std::to_string(min) + "–" + std::to_string(max));
  return std::optional<std::int64_t>{*v};
}

std::string call::session_cookie(std::string const& token, std::int64_t max_age_s) const {
  std::string c = "peerchat_session=" + token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age_s);
  if (req.tls || a.public_url.starts_with("https://")) c += "; Secure";  // never sent over plain HTTP
  return c;
}

api_reply call::logged_in(service::login_result const& r) const {
  // The device list shows which browser this is; a failure here costs the label, not the login.
  (void)a.backend.devices.record_login(r.session, req.user_agent);
  api_reply reply = json_reply(201, ojson{{"token", r.token}, {"user", protocol::to_json(r.user)}});
  reply.headers.emplace_back("Set-Cookie", session_cookie(r.token, a.cfg.limits.session_days * 86400));
  return reply;
}

api_reply with_group(call& c, std::function<api_reply(principal const&, group_id)> const& f) {
  TRY(who, c.auth());
  TRY(g, c.id_param(0));
  return f(*who, group_id{*g});
}

}  // namespace peerchat::gateway::api
