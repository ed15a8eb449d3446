// SPDX-License-Identifier: MIT
// What every route handler of the API shares: the request on its way through a route, the
// reply builders, and the route table entry. Included only by src/gateway/api/*.cpp and the
// router.
#pragma once
#include "../router.hpp"
#include "peerchat/protocol/json_input.hpp"
#include "peerchat/protocol/wire.hpp"
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::gateway::api {

using protocol::ojson;

api_reply json_reply(int status, std::string body);
api_reply json_reply(int status, ojson const& j);
api_reply no_content();
api_reply error_reply(error const& e);  // rate_limited adds Retry-After
api_reply error_reply(errc code, std::string message);

// One request on its way through a route.
struct call {
  app& a;
  api_request const& req;
  std::vector<std::string> params;  // the {…} segments of the route, decoded
  std::map<std::string, std::string> query;

  result<principal> auth() const;
  result<protocol::json> body() const;  // a JSON object, required
  // A path parameter that names a row by its id; anything else names nothing (404).
  result<std::int64_t> id_param(std::size_t i) const;
  // An optional integer query parameter within [min, max].
  result<std::optional<std::int64_t>> query_int(char const* name, std::int64_t min, std::int64_t max) const;
  std::string session_cookie(std::string const& token, std::int64_t max_age_s) const;
  // 201 {token, user} and the session cookie.
  api_reply logged_in(service::login_result const& r) const;
};

#define TRY(var, expr)     \
  auto var = (expr);       \
  if (!var) return ::peerchat::gateway::api::error_reply(var.error())

// Authenticates, reads {group id} from the path and runs f.
api_reply with_group(call& c, std::function<api_reply(principal const&, group_id)> const& f);

using handler = std::function<api_reply(call&)>;
struct route {
  std::string_view method;
  std::string_view pattern;  // segments after /api/v1, "{}" for a parameter
  handler run;
};

// One per resource file; the router concatenates them.
void add_session_routes(std::vector<route>& out);  // api/sessions.cpp: sessions, /me
void add_group_routes(std::vector<route>& out);    // api/groups.cpp: groups and members
void add_invite_routes(std::vector<route>& out);   // api/invites.cpp
void add_message_routes(std::vector<route>& out);  // api/messages.cpp: messages, events, reactions, read
void add_search_routes(std::vector<route>& out);   // api/search.cpp
void add_setup_routes(std::vector<route>& out);    // api/setup.cpp: first run
void add_notification_routes(std::vector<route>& out);  // api/notifications.cpp: levels, quiet hours, push, mentions
void add_push_key_routes(std::vector<route>& out);  // api/push_key.cpp: GET /push/key (VAPID public key)
void add_device_routes(std::vector<route>& out);   // api/devices.cpp: /me/sessions
void add_profile_routes(std::vector<route>& out);  // api/profile.cpp: PATCH /me, /me/password, avatars
void add_admin_user_routes(std::vector<route>& out);  // api/admin_users.cpp: /admin/users, DELETE /me
void add_account_reset_routes(std::vector<route>& out);  // api/account_reset.cpp: reset and setup links
void add_direct_routes(std::vector<route>& out);  // api/direct.cpp: POST /direct
void add_block_routes(std::vector<route>& out);   // api/blocks.cpp: /users/{id}/block, /me/blocks
void add_export_routes(std::vector<route>& out);  // api/export.cpp: GET /groups/{id}/export
void add_quiz_routes(std::vector<route>& out);    // api/quizzes.cpp: /groups/{id}/quizzes
void add_question_routes(std::vector<route>& out);  // api/questions.cpp: questions and answers (issue 14)
void add_library_routes(std::vector<route>& out);   // api/library.cpp: the library (issue 14)
// Shared by the issue 14 routes: a person named beside an item, a quoted message.
ojson person_json(person_ref const& p);
ojson quoted_json(quoted_message const& m);
void add_kudos_routes(std::vector<route>& out);   // api/kudos.cpp: /groups/{id}/kudos
void add_poll_routes(std::vector<route>& out);    // api/polls.cpp: /groups/{id}/polls

}  // namespace peerchat::gateway::api
