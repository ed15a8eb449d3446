// SPDX-License-Identifier: MIT
// The library of best practices (issue 14): save a message, edit or remove an entry, search.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
ojson entry_json(library_entry const& e) {
  ojson out{{"id", e.id},
            {"target_seq", e.target_seq},
            {"title", e.title},
            {"tags", e.tags},
            {"body", e.body ? ojson(*e.body) : ojson(nullptr)},
            {"sender", person_json(e.sender)},
            {"curated_by", person_json(e.curated_by)},
            {"ts", e.ts},
            {"updated_at", e.updated_at}};
  if (!e.body) out["deleted"] = true;  // the message was deleted: its text is gone from here too
  if (e.answer) out["answer"] = quoted_json(*e.answer);
  return out;
}

// `tags`: absent → nullopt; else an array of strings (each checked by the service).
result<std::optional<std::vector<std::string>>> read_tags(protocol::json const& body) {
  auto it = body.find("tags");
  if (it == body.end() || it->is_null()) return std::optional<std::vector<std::string>>{};
  if (!it->is_array() || it->size() > 10) return make_error(errc::bad_request, "field 'tags' must be an array of at most 10 strings");
  std::vector<std::string> tags;
  for (auto const& t : *it) {
    if (!t.is_string()) return make_error(errc::bad_request, "field 'tags' must be an array of at most 10 strings");
    tags.push_back(t.get<std::string>());
  }
  return std::optional<std::vector<std::string>>{std::move(tags)};
}

api_reply post_entry(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(seq, protocol::required_int(*body, "seq"));
    TRY(title, protocol::required_string(*body, "title"));
    TRY(tags, read_tags(*body));
    TRY(r, c.a.backend.library.add(who.user, g, *seq, *title, tags->value_or(std::vector<std::string>{})));
    return json_reply(201, entry_json(r->entry));
  });
}

api_reply patch_entry(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(id, c.id_param(1));
    TRY(body, c.body());
    TRY(title, protocol::optional_string(*body, "title"));
    TRY(tags, read_tags(*body));
    TRY(r, c.a.backend.library.update(who.user, g, *id, std::move(*title), std::move(*tags)));
    return json_reply(200, entry_json(r->entry));
  });
}

api_reply delete_entry(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(id, c.id_param(1));
    TRY(e, c.a.backend.library.remove(who.user, g, *id));
    return no_content();
  });
}

api_reply get_entries(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(limit, c.query_int("limit", 1, 100));
    service::library_query q;
    if (auto it = c.query.find("q"); it != c.query.end()) q.q = it->second;
    if (auto it = c.query.find("tag"); it != c.query.end()) q.tag = it->second;
    if (auto it = c.query.find("cursor"); it != c.query.end()) q.cursor = it->second;
    q.limit = static_cast<int>(limit->value_or(50));
    TRY(page, c.a.backend.library.list(who.user, g, q));
    ojson list = ojson::array();
    for (auto const& e : page->entries) list.push_back(entry_json(e));
    return json_reply(200, ojson{{"entries", std::move(list)},
                                 {"next_cursor", page->next_cursor ? ojson(*page->next_cursor) : ojson(nullptr)}});
  });
}
}  // namespace

void add_library_routes(std::vector<route>& out) {
  out.push_back({"POST", "/groups/{}/library", post_entry});
  out.push_back({"GET", "/groups/{}/library", get_entries});
  out.push_back({"PATCH", "/groups/{}/library/{}", patch_entry});
  out.push_back({"DELETE", "/groups/{}/library/{}", delete_entry});
}

}  // namespace peerchat::gateway::api
