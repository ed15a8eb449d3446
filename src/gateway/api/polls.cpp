// SPDX-License-Identifier: MIT
// Polls: create, vote, close, read one, list a group's.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
result<bool> optional_bool(protocol::json const& obj, char const* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return false;
  if (!it->is_boolean()) return make_error(errc::bad_request, std::string(key) + " must be true or false");
  return it->get<bool>();
}

api_reply post_poll(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    service::poll_request req;
    TRY(question, protocol::required_string(*body, "question"));
    req.question = std::move(*question);
    auto options = body->find("options");
    if (options == body->end() || !options->is_array())
      return error_reply(errc::bad_request, "options must be a list of 2–10 texts");
    if (options->size() > service::polls::max_options) return error_reply(errc::bad_request, "a poll has 2–10 options");
    for (auto const& o : *options) {
      if (!o.is_string()) return error_reply(errc::bad_request, "options must be a list of 2–10 texts");
      req.options.push_back(o.get<std::string>());
    }
    TRY(multiple, optional_bool(*body, "multiple"));
    TRY(anonymous, optional_bool(*body, "anonymous"));
    TRY(closes_at, protocol::optional_int(*body, "closes_at"));
    req.multiple = *multiple;
    req.anonymous = *anonymous;
    req.closes_at = *closes_at;
    TRY(e, c.a.backend.polls.create(who, g, std::move(req)));
    return json_reply(201, *e->wire);
  });
}

api_reply put_vote(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(poll, c.id_param(1));
    TRY(body, c.body());
    auto options = body->find("options");
    if (options == body->end() || !options->is_array() || options->size() > service::polls::max_options)
      return error_reply(errc::bad_request, "options must be a list of option indexes");
    std::vector<std::int64_t> choice;
    for (auto const& o : *options) {
      if (!o.is_number_integer()) return error_reply(errc::bad_request, "options must be a list of option indexes");
      choice.push_back(o.get<std::int64_t>());
    }
    TRY(out, c.a.backend.polls.vote(who, g, *poll, std::move(choice)));
    return json_reply(200, *out);
  });
}

api_reply post_close(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(poll, c.id_param(1));
    TRY(e, c.a.backend.polls.close(who, g, *poll));
    return json_reply(200, *e->wire);
  });
}

api_reply get_poll(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(poll, c.id_param(1));
    TRY(out, c.a.backend.polls.get(who, g, *poll));
    return json_reply(200, *out);
  });
}

// ?state=open|closed (default both), ?limit= (1–100, default 20), ?cursor=.
api_reply get_polls(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    std::optional<bool> open;
    if (auto it = c.query.find("state"); it != c.query.end() && !it->second.empty()) {
      if (it->second != "open" && it->second != "closed")
        return error_reply(errc::bad_request, "state must be open or closed");
      open = it->second == "open";
    }
    TRY(limit, c.query_int("limit", 1, 100));
    TRY(cursor, c.query_int("cursor", 1, INT64_MAX));
    TRY(out, c.a.backend.polls.list(who, g, open, *cursor, static_cast<int>(limit->value_or(20))));
    return json_reply(200, *out);
  });
}
}  // namespace

void add_poll_routes(std::vector<route>& out) {
  out.push_back({"POST", "/groups/{}/polls", post_poll});
  out.push_back({"GET", "/groups/{}/polls", get_polls});
  out.push_back({"GET", "/groups/{}/polls/{}", get_poll});
  out.push_back({"PUT", "/groups/{}/polls/{}/vote", put_vote});
  out.push_back({"POST", "/groups/{}/polls/{}/close", post_close});
}

}  // namespace peerchat::gateway::api
