// SPDX-License-Identifier: MIT
// Messages of a group: send, history, the event log, edit, delete, reactions, read markers.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply post_message(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(ids, protocol::attachment_ids(*body));
    // With attachments the body may be empty or absent (a photo without a caption).
    TRY(text, protocol::optional_string(*body, "body"));
    if (!*text && ids->empty()) return error_reply(errc::bad_request, "field 'body' is required");
    TRY(cmid, protocol::required_string(*body, "client_msg_id"));
    TRY(reply_to, protocol::optional_int(*body, "reply_to"));
    TRY(question, protocol::optional_bool(*body, "question"));
    TRY(r, c.a.messages.send(who.user, {g, text->value_or(""), *cmid, *reply_to, std::move(*ids), question->value_or(false)}));
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
      out += page->events[i].wire;
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
}  // namespace

void add_message_routes(std::vector<route>& out) {
  out.push_back({"POST", "/groups/{}/messages", post_message});
  out.push_back({"GET", "/groups/{}/messages", get_messages});
  out.push_back({"GET", "/groups/{}/events", get_events});
  out.push_back({"PATCH", "/groups/{}/messages/{}", patch_message});
  out.push_back({"DELETE", "/groups/{}/messages/{}", delete_message});
  out.push_back({"PUT", "/groups/{}/messages/{}/reactions/{}", [](call& c) { return react(c, true); }});
  out.push_back({"DELETE", "/groups/{}/messages/{}/reactions/{}", [](call& c) { return react(c, false); }});
  out.push_back({"POST", "/groups/{}/read", post_read});
}

}  // namespace peerchat::gateway::api
