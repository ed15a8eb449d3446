// SPDX-License-Identifier: MIT
// Matching /api/v1 requests to the routes of src/gateway/api/.
#include "router.hpp"
#include "api/call.hpp"
#include <map>
#include <spdlog/spdlog.h>

namespace peerchat::gateway {

namespace {
constexpr std::string_view api_prefix = "/api/v1";

std::vector<api::route> const& routes() {
  static std::vector<api::route> const table = [] {
    std::vector<api::route> t;
    api::add_session_routes(t);
    api::add_group_routes(t);
    api::add_invite_routes(t);
    api::add_message_routes(t);
    api::add_search_routes(t);
    api::add_setup_routes(t);
    api::add_notification_routes(t);
    api::add_push_key_routes(t);
    api::add_device_routes(t);
    api::add_profile_routes(t);
    api::add_admin_user_routes(t);
    api::add_account_reset_routes(t);
    api::add_direct_routes(t);
    api::add_block_routes(t);
    api::add_export_routes(t);
    api::add_quiz_routes(t);
    api::add_question_routes(t);
    api::add_library_routes(t);
    api::add_kudos_routes(t);
    api::add_poll_routes(t);
    return t;
  }();
  return table;
}

}  // namespace

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
