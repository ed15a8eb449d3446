// SPDX-License-Identifier: MIT
// Questions and answers (issue 14): mark a message as a question, accept an answer, reopen,
// and the group's questions by state.
#include "call.hpp"

namespace peerchat::gateway::api {

ojson person_json(person_ref const& p) {
  ojson out{{"user_id", raw(p.user)}, {"display_name", p.display_name}};
  if (p.deleted) out["deleted"] = true;
  return out;
}

ojson quoted_json(quoted_message const& m) {
  ojson out{{"seq", m.seq}, {"sender", person_json(m.sender)}};
  if (m.body)
    out["body"] = *m.body;
  else
    out["deleted"] = true;
  return out;
}

namespace {
ojson question_json(question_view const& q) {
  ojson out{{"seq", q.seq},     {"sender", person_json(q.sender)},          {"body", q.body},
            {"ts", q.ts},       {"state", q.answered ? "answered" : "open"}, {"answers", q.answers}};
  if (q.accepted) {
    out["accepted_seq"] = q.accepted->seq;
    out["accepted"] = quoted_json(*q.accepted);
  }
  if (q.first_answer_after_ms) out["first_answer_after_ms"] = *q.first_answer_after_ms;
  return out;
}

api_reply post_question(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(seq, protocol::required_int(*body, "seq"));
    TRY(e, c.a.backend.questions.ask(who.user, g, *seq));
    return json_reply(201, *e->wire);
  });
}

api_reply accept_answer(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(seq, c.id_param(1));
    TRY(body, c.body());
    TRY(answer, protocol::required_int(*body, "answer_seq"));
    TRY(e, c.a.backend.questions.accept(who.user, g, *seq, *answer));
    return json_reply(200, *e->wire);
  });
}

api_reply reopen_question(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(seq, c.id_param(1));
    TRY(e, c.a.backend.questions.reopen(who.user, g, *seq));
    return json_reply(200, *e->wire);
  });
}

api_reply get_questions(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    auto it = c.query.find("state");
    std::string state = it == c.query.end() || it->second.empty() ? "open" : it->second;
    if (state != "open" && state != "answered") return error_reply(errc::bad_request, "state must be open or answered");
    TRY(limit, c.query_int("limit", 1, 200));
    std::optional<std::string> cursor;
    if (auto cur = c.query.find("cursor"); cur != c.query.end()) cursor = cur->second;
    TRY(page, c.a.backend.questions.list(who.user, g, state == "answered", cursor, static_cast<int>(limit->value_or(50))));
    ojson list = ojson::array();
    for (auto const& q : page->questions) list.push_back(question_json(q));
    return json_reply(200, ojson{{"questions", std::move(list)},
                                 {"next_cursor", page->next_cursor ? ojson(*page->next_cursor) : ojson(nullptr)}});
  });
}
}  // namespace

void add_question_routes(std::vector<route>& out) {
  out.push_back({"POST", "/groups/{}/questions", post_question});
  out.push_back({"GET", "/groups/{}/questions", get_questions});
  out.push_back({"POST", "/groups/{}/questions/{}/accept", accept_answer});
  out.push_back({"DELETE", "/groups/{}/questions/{}/accept", reopen_question});
}

}  // namespace peerchat::gateway::api
