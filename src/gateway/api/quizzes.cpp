// SPDX-License-Identifier: MIT
// The live quiz: POST/GET /groups/{id}/quizzes, GET/DELETE …/{quiz_id}, …/start, …/next, …/end.
// Answers come over the WebSocket (the quiz_answer frame), judged on the server's clock.
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
// An array of small integers (option indexes), or bad_request naming the field.
result<std::vector<int>> int_list(protocol::json const& j, char const* key, std::string const& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array() || it->size() > 6)
    return make_error(errc::bad_request, where + "'" + key + "' must be an array of at most 6 option indexes");
  std::vector<int> out;
  for (auto const& v : *it) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 5)
      return make_error(errc::bad_request, where + "'" + key + "' must hold option indexes 0–5");
    out.push_back(static_cast<int>(v.get<std::int64_t>()));
  }
  return out;
}

result<service::quiz_draft> read_draft(protocol::json const& body) {
  service::quiz_draft d;
  auto title = protocol::required_string(body, "title");
  if (!title) return title.error();
  d.title = std::move(*title);
  auto qs = body.find("questions");
  if (qs == body.end() || !qs->is_array() || qs->empty() || qs->size() > 50)
    return make_error(errc::bad_request, "field 'questions' must be an array of 1–50 questions");
  for (std::size_t i = 0; i < qs->size(); ++i) {
    auto const& q = (*qs)[i];
    std::string where = "question " + std::to_string(i + 1) + ": ";
    if (!q.is_object()) return make_error(errc::bad_request, where + "must be an object");
    service::quiz_question_input in;
    auto text = protocol::required_string(q, "text");
    if (!text) return make_error(errc::bad_request, where + text.error().message);
    in.text = std::move(*text);
    auto opts = q.find("options");
    if (opts == q.end() || !opts->is_array() || opts->size() < 2 || opts->size() > 6)
      return make_error(errc::bad_request, where + "'options' must be an array of 2–6 texts");
    for (auto const& o : *opts) {
      if (!o.is_string()) return make_error(errc::bad_request, where + "each option must be a text");
      in.options.push_back(o.get<std::string>());
    }
    auto correct = int_list(q, "correct", where);
    if (!correct) return correct.error();
    in.correct = std::move(*correct);
    auto seconds = protocol::optional_int(q, "seconds");
    if (!seconds) return make_error(errc::bad_request, where + seconds.error().message);
    std::int64_t s = seconds->value_or(20);
    if (s < 5 || s > 120) return make_error(errc::bad_request, where + "'seconds' must be 5–120");
    in.seconds = static_cast<int>(s);
    d.questions.push_back(std::move(in));
  }
  return d;
}

api_reply create_quiz(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(draft, read_draft(*body));
    TRY(quiz, c.a.backend.quizzes.create(who, g, std::move(*draft)));
    return json_reply(201, *quiz);
  });
}

api_reply list_quizzes(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(limit, c.query_int("limit", 1, 100));
    TRY(cursor, c.query_int("cursor", 1, INT64_MAX));
    TRY(page, c.a.backend.quizzes.list(who, g, static_cast<int>(limit->value_or(20)), *cursor));
    return json_reply(200, *page);
  });
}

api_reply get_quiz(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(quiz, c.id_param(1));
    TRY(view, c.a.backend.quizzes.view(who, g, *quiz));
    return json_reply(200, *view);
  });
}

api_reply delete_quiz(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(quiz, c.id_param(1));
    TRY(done, c.a.backend.quizzes.remove_draft(who, g, *quiz));
    return no_content();
  });
}

template <auto Step>
api_reply quiz_step(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(quiz, c.id_param(1));
    TRY(e, (c.a.backend.quizzes.*Step)(who, g, *quiz));
    return json_reply(200, *e->wire);
  });
}
}  // namespace

void add_quiz_routes(std::vector<route>& out) {
  out.push_back({"POST", "/groups/{}/quizzes", create_quiz});
  out.push_back({"GET", "/groups/{}/quizzes", list_quizzes});
  out.push_back({"GET", "/groups/{}/quizzes/{}", get_quiz});
  out.push_back({"DELETE", "/groups/{}/quizzes/{}", delete_quiz});
  out.push_back({"POST", "/groups/{}/quizzes/{}/start", quiz_step<&service::quizzes::start>});
  out.push_back({"POST", "/groups/{}/quizzes/{}/next", quiz_step<&service::quizzes::next>});
  out.push_back({"POST", "/groups/{}/quizzes/{}/end", quiz_step<&service::quizzes::end>});
}

}  // namespace peerchat::gateway::api
