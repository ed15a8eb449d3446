// SPDX-License-Identifier: MIT
// Devices: the caller's sessions, and ending them (GET/DELETE /me/sessions[/{id}]).
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply list_sessions(call& c) {
  TRY(who, c.auth());
  TRY(list, c.a.backend.devices.list(*who));
  ojson sessions = ojson::array();
  for (auto const& d : *list)
    sessions.push_back({{"id", raw(d.id)},
                        {"created_at", d.created_at},
                        {"last_seen_at", d.last_seen_at},
                        {"user_agent", d.user_agent},
                        {"device", d.device},
                        {"current", d.current}});
  return json_reply(200, ojson{{"sessions", std::move(sessions)}});
}

api_reply end_one_session(call& c) {
  TRY(who, c.auth());
  TRY(id, c.id_param(0));
  session_id s{*id};
  TRY(r, c.a.backend.devices.end(*who, s));
  api_reply reply = no_content();
  if (s == who->session) reply.headers.emplace_back("Set-Cookie", c.session_cookie("", 0));  // that was a logout
  return reply;
}

api_reply end_other_sessions(call& c) {
  TRY(who, c.auth());
  TRY(r, c.a.backend.devices.end_others(*who));
  return no_content();
}
}  // namespace

void add_device_routes(std::vector<route>& out) {
  out.push_back({"GET", "/me/sessions", list_sessions});
  out.push_back({"DELETE", "/me/sessions", end_other_sessions});
  out.push_back({"DELETE", "/me/sessions/{}", end_one_session});
}

}  // namespace peerchat::gateway::api
