// SPDX-License-Identifier: MIT
// Matching /api/v1 requests to the routes of src/gateway/api/.
#include "router.hpp"
#include "api/call.hpp"
#include <charconv>
#include <map>
#include <spdlog/spdlog.h>

namespace peerchat::gateway {

namespace {
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

std::vector<api::route> const& routes() {
  static std::vector<api::route> const table = [] {
    std::vector<api::route> t;
    api::add_session_routes(t);
    api::add_group_routes(t);
    api::add_invite_routes(t);
    api::add_message_routes(t);
    api::add_search_routes(t);
    api::add_setup_routes(t);
    return t;
  }();
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

router::router(app& a) : app_(a) { routes(); }

api_reply router::handle(api_request const& req) {
  // A browser page from another site must not act with the user's cookie.
  if (!req.origin.empty() && req.origin != app_.public_origin)
    return api::error_reply(errc::forbidden, "cross-origin requests are not allowed");
  std::string_view target = req.target;
  auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  if (!path.starts_with(api_prefix)) return api::error_reply(errc::not_found, "no such API route");
  path.remove_prefix(api_prefix.size());
  auto segments = split_path(path);
  api::call c{app_, req, {}, qpos == std::string_view::npos ? std::map<std::string, std::string>{} : parse_query(target.substr(qpos + 1))};
  bool path_known = false;
  for (auto const& r : routes()) {
    if (!matches(r.pattern, segments, c.params)) continue;
    path_known = true;
    if (r.method != req.method) continue;
    try {
      return r.run(c);
    } catch (std::exception const& e) {
      spdlog::error("{} {}: {}", req.method, path, e.what());
      return api::error_reply(errc::internal, "internal error");
    }
  }
  if (path_known) {
    api_reply r = api::error_reply(errc::bad_request, "method " + req.method + " is not allowed here");
    r.status = 405;
    return r;
  }
  return api::error_reply(errc::not_found, "no such API route");
}

}  // namespace peerchat::gateway
