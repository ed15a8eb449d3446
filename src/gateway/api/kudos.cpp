// SPDX-License-Identifier: MIT
// Kudos: POST /groups/{id}/kudos gives one; GET lists the group's wall; DELETE …/{kudos_id} withdraws one.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply post_kudos(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(to, protocol::required_int(*body, "user_id"));
    TRY(note, protocol::required_string(*body, "note"));
    TRY(seq, protocol::optional_int(*body, "seq"));
    if (*to <= 0) return error_reply(errc::bad_request, "user_id is not a member of this group");
    TRY(e, c.a.backend.kudos.give(who, g, {user_id{*to}, *note, *seq}));
    return json_reply(201, *e->wire);
  });
}

api_reply delete_kudos(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(id, c.id_param(1));
    TRY(e, c.a.backend.kudos.withdraw(who, g, *id));
    return no_content();
  });
}

// ?since=TS (kudos given since then), ?user_id= (received by that member), ?limit=, ?cursor=.
api_reply get_kudos(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(since, c.query_int("since", 0, INT64_MAX));
    TRY(member, c.query_int("user_id", 1, INT64_MAX));
    TRY(limit, c.query_int("limit", 1, 200));
    TRY(cursor, c.query_int("cursor", 1, INT64_MAX));
    service::kudos_query q;
    q.since = *since;
    if (*member) q.member = user_id{**member};
    q.before_id = *cursor;
    q.limit = static_cast<int>(limit->value_or(50));
    TRY(out, c.a.backend.kudos.list(who, g, q));
    return json_reply(200, *out);
  });
}
}  // namespace

void add_kudos_routes(std::vector<route>& out) {
  out.push_back({"POST", "/groups/{}/kudos", post_kudos});
  out.push_back({"GET", "/groups/{}/kudos", get_kudos});
  out.push_back({"DELETE", "/groups/{}/kudos/{}", delete_kudos});
}

}  // namespace peerchat::gateway::api
