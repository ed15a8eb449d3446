// SPDX-License-Identifier: MIT
// Full-text search over the caller's groups.
#include "call.hpp"
#include "peerchat/core/text.hpp"

namespace peerchat::gateway::api {

namespace {
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
}  // namespace

void add_search_routes(std::vector<route>& out) { out.push_back({"GET", "/search", get_search}); }

}  // namespace peerchat::gateway::api
