// SPDX-License-Identifier: MIT
// Routes of the HTTP API and the JSON each one answers with.
#include "http_api.hpp"
#include "peerchat/protocol/json_input.hpp"
#include "peerchat/protocol/wire.hpp"
#include "peerchat/core/text.hpp"
#include <charconv>
#include <functional>
#include <map>
#include <optional>

namespace peerchat::gateway {

namespace {
using protocol::ojson;

constexpr std::string_view api_prefix = "/api/v1";

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += plus_is_space && c == '+' ? ' ' : c;
  }
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

api_reply json_reply(int status, std::string body) { return {status, std::move(body), {}}; }
api_reply json_reply(int status, ojson const& j) { return {status, j.dump(), {}}; }
api_reply no_content() { return {204, {}, {}}; }
api_reply error_reply(error const& e) {
  api_reply r{http_status(e.code), protocol::error_body(e), {}};
  if (e.code == errc::rate_limited)
    r.headers.emplace_back("Retry-After", std::to_string((e.retry_after_ms + 999) / 1000));
  return r;
}
api_reply error_reply(errc code, std::string message) { return error_reply(make_error(code, std::move(message))); }

// One request on its way through a route.
struct call {
  app& a;
  api_request const& req;
  std::vector<std::string> params;           // the {…} segments of the route, decoded
  std::map<std::string, std::string> query;

  result<principal> auth() const {
    return a.accounts.authenticate(token_of(req.authorization, req.cookie));
  }
  result<protocol::json> body() const {
    if (req.body.empty()) return make_error(errc::bad_request, "a JSON body is required");
    return protocol::parse_object(req.body, a.cfg.limits.json_depth);
  }
  // A path parameter that names a row by its id; anything else names nothing (404).
  result<std::int64_t> id_param(std::size_t i) const {
    auto v = parse_int(params.at(i));
    if (!v || *v <= 0) return make_error(errc::not_found, "not found");
    return *v;
  }
  // An optional integer query parameter within [min, max].
  result<std::optional<std::int64_t>> query_int(char const* name, std::int64_t min, std::int64_t max) const {
    auto it = query.find(name);
    if (it == query.end() || it->second.empty()) return std::optional<std::int64_t>{};
    auto v = parse_int(it->second);
    if (!v || *v < min || *v > max)
      return make_error(errc::bad_request, std::string("query parameter '") + name + "' must be an integer in " +
                                               std::to_string(min) + "–" + std::to_string(max));
    return std::optional<std::int64_t>{*v};
  }
  std::string session_cookie(std::string const& token, std::int64_t max_age_s) const {
    std::string c = "peerchat_session=" + token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age_s);
    if (req.tls || a.public_url.starts_with("https://")) c += "; Secure";  // never sent over plain HTTP
    return c;
  }
  api_reply logged_in(service::login_result const& r) const {
    api_reply reply = json_reply(201, ojson{{"token", r.token}, {"user", protocol::to_json(r.user)}});
    reply.headers.emplace_back("Set-Cookie", session_cookie(r.token, a.cfg.limits.session_days * 86400));
    return reply;
  }
};

#define TRY(var, expr)                               \
  auto var = (expr);                                 \
  if (!var) return error_reply(var.error())

using handler = std::function<api_reply(call&)>;
struct route {
  std::string_view method;
  std::string_view pattern;  // segments after /api/v1, "{}" for a parameter
  handler run;
};

api_reply with_group(call& c, std::function<api_reply(principal const&, group_id)> f) {
  TRY(who, c.auth());
  TRY(g, c.id_param(0));
  return f(*who, group_id{*g});
}

// --- Accounts and sessions -------------------------------------------------------------
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
  return json_reply(200, protocol::to_json(who->user));
}

// --- Groups ------------------------------------------------------------------------------
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
  body["epoch"] = c.a.epoch;  // the database's epoch (docs/api.md): new after every restore
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

// --- Invites -----------------------------------------------------------------------------
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
  TRY(r, c.a.invites.accept_new_account(code, *username, display->value_or(*username), *password, &joined));
  api_reply reply = c.logged_in(*r);
  // {token, user} as for a login, plus the group just joined, so the client can open it.
  auto answer = ojson::parse(reply.body);
  answer["group"] = protocol::to_json(joined);
  reply.body = answer.dump();
  return reply;
}

// --- First run -------------------------------------------------------------------------
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

// --- Messages ----------------------------------------------------------------------------
api_reply post_message(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(text, protocol::required_string(*body, "body"));
    TRY(cmid, protocol::required_string(*body, "client_msg_id"));
    TRY(reply_to, protocol::optional_int(*body, "reply_to"));
    TRY(r, c.a.messages.send(who.user, {g, *text, *cmid, *reply_to}));
    return json_reply(r->created ? 201 : 200, *r->message.wire);
  });
}

api_reply get_messages(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(before, c.query_int("before", 1, INT64_MAX));
    TRY(limit, c.query_int("limit", 1, 200));
    TRY(list, c.a.messages.history(who.user, g, *before, static_cast<int>(limit->value_or(50))));
    return json_reply(200, protocol::list_json("messages", *list));
  });
}

api_reply get_events(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(after, c.query_int("after", 0, INT64_MAX));
    TRY(limit, c.query_int("limit", 1, 1000));
    TRY(page, c.a.messages.events_after(who.user, g, after->value_or(0), static_cast<int>(limit->value_or(100))));
    // Stored events are already the JSON clients receive: splice them in as they are.
    std::string out = "{\"events\":[";
    for (std::size_t i = 0; i < page->events.size(); ++i) {
      if (i) out += ',';
      out += page->events[i];
    }
    out += "],\"last_seq\":" + std::to_string(page->last_seq) + "}";
    return json_reply(200, std::move(out));
  });
}

api_reply patch_message(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(seq, c.id_param(1));
    TRY(body, c.body());
    TRY(text, protocol::required_string(*body, "body"));
    TRY(e, c.a.messages.edit(who.user, g, *seq, *text));
    return json_reply(200, *e->wire);
  });
}

api_reply delete_message(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(seq, c.id_param(1));
    TRY(e, c.a.messages.remove(who.user, g, *seq));
    return no_content();
  });
}

api_reply react(call& c, bool add) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(seq, c.id_param(1));
    TRY(e, c.a.messages.react(who.user, g, *seq, c.params.at(2), add));
    if (!*e || !add) return no_content();
    return json_reply(200, *(*e)->wire);
  });
}

api_reply post_read(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(seq, protocol::required_int(*body, "seq"));
    TRY(now_read, c.a.messages.mark_read(who.user, g, *seq));
    c.a.hub.read_marker(who.user.id, g, *now_read);
    return no_content();
  });
}

api_reply get_search(call& c) {
  TRY(who, c.auth());
  TRY(group, c.query_int("group_id", 1, INT64_MAX));
  TRY(limit, c.query_int("limit", 1, 100));
  std::optional<group_id> g;
  if (*group) g = group_id{**group};
  auto q = c.query.find("q");
  if (q == c.query.end()) return error_reply(errc::bad_request, "query parameter 'q' is required");
  if (!text::valid_utf8(q->second)) return error_reply(errc::bad_request, "q is not valid UTF-8");
  TRY(hits, c.a.messages.search(who->user, q->second, g, static_cast<int>(limit->value_or(20))));
  return json_reply(200, protocol::list_json("results", *hits));
}

std::vector<route> const& routes() {
  static std::vector<route> const table{
      {"POST", "/sessions", post_session},
      {"DELETE", "/sessions/current", delete_session},
      {"GET", "/me", get_me},
      {"POST", "/groups", post_group},
      {"GET", "/groups", get_groups},
      {"GET", "/groups/{}", get_group},
      {"PATCH", "/groups/{}", patch_group},
      {"PATCH", "/groups/{}/members/{}", patch_member},
      {"DELETE", "/groups/{}/members/{}", delete_member},
      {"POST", "/groups/{}/invites", post_invite},
      {"GET", "/groups/{}/invites", get_invites},
      {"DELETE", "/groups/{}/invites/{}", delete_invite},
      {"GET", "/invites/{}", get_invite},
      {"POST", "/invites/{}/accept", accept_invite},
      {"POST", "/groups/{}/messages", post_message},
      {"GET", "/groups/{}/messages", get_messages},
      {"GET", "/groups/{}/events", get_events},
      {"PATCH", "/groups/{}/messages/{}", patch_message},
      {"DELETE", "/groups/{}/messages/{}", delete_message},
      {"PUT", "/groups/{}/messages/{}/reactions/{}", [](call& c) { return react(c, true); }},
      {"DELETE", "/groups/{}/messages/{}/reactions/{}", [](call& c) { return react(c, false); }},
      {"POST", "/groups/{}/read", post_read},
      {"GET", "/search", get_search},
      {"GET", "/setup/{}", get_setup},
      {"POST", "/setup/{}", post_setup},
  };
  return table;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    auto end = path.find('/');
    out.push_back(path.substr(0, end));
    if (end == std::string_view::npos) break;
    path.remove_prefix(end);
  }
  return out;
}

// Matches path segments against a pattern; fills params with the decoded {…} segments.
bool matches(std::string_view pattern, std::vector<std::string_view> const& segments, std::vector<std::string>& params) {
  auto parts = split_path(pattern);
  if (parts.size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "{}") {
      if (segments[i].empty()) return false;
      params.push_back(percent_decode(segments[i], false));
    } else if (parts[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto pair = q.substr(0, amp);
    auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    out.emplace(std::move(key), std::move(value));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}
}  // namespace

std::string token_of(std::string const& authorization, std::string const& cookie) {
  constexpr std::string_view bearer = "Bearer ";
  if (authorization.size() > bearer.size() && authorization.compare(0, bearer.size(), bearer) == 0)
    return authorization.substr(bearer.size());
  std::string_view c = cookie;
  while (!c.empty()) {
    while (!c.empty() && (c.front() == ' ' || c.front() == ';')) c.remove_prefix(1);
    auto end = c.find(';');
    auto part = c.substr(0, end);
    constexpr std::string_view name = "peerchat_session=";
    if (part.starts_with(name)) return std::string(part.substr(name.size()));
    if (end == std::string_view::npos) break;
    c.remove_prefix(end);
  }
  return {};
}

api_reply http_api::handle(api_request const& req) {
  // A browser page from another site must not act with the user's cookie.
  if (!req.origin.empty() && req.origin != app_.public_origin)
    return error_reply(errc::forbidden, "cross-origin requests are not allowed");
  std::string_view target = req.target;
  auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  path.remove_prefix(api_prefix.size());
  auto segments = split_path(path);
  call c{app_, req, {}, qpos == std::string_view::npos ? std::map<std::string, std::string>{} : parse_query(target.substr(qpos + 1))};
  bool path_known = false;
  for (auto const& r : routes()) {
    if (!matches(r.pattern, segments, c.params)) continue;
    path_known = true;
    if (r.method != req.method) continue;
    try {
      return r.run(c);
    } catch (std::exception const& e) {
      return error_reply(errc::internal, "internal error");
    }
  }
  if (path_known) {
    api_reply r = error_reply(errc::bad_request, "method " + req.method + " is not allowed here");
    r.status = 405;
    return r;
  }
  return error_reply(errc::not_found, "no such API route");
}

}  // namespace peerchat::gateway
