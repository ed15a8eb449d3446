// SPDX-License-Identifier: MIT
// Decoding of client WebSocket frames.
#include "peerchat/protocol/client_frame.hpp"
#include "peerchat/protocol/json_input.hpp"
#include <charconv>

namespace peerchat::protocol {

namespace {
template <class T>
using decoded = boost::system::result<T, decode_error>;

result<group_id> read_group(json const& j) {
  auto g = required_int(j, "group_id");
  if (!g) return g.error();
  if (*g <= 0) return make_error(errc::bad_request, "field 'group_id' must be a positive integer");
  return group_id{*g};
}

result<client_frame> decode_hello(json const& j) {
  hello_frame h;
  auto token = optional_string(j, "token");
  if (!token) return token.error();
  h.token = *token;
  if (auto it = j.find("resume"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return make_error(errc::bad_request, "field 'resume' must be an object of group_id: seq");
    for (auto const& [key, value] : it->items()) {
      std::int64_t g = 0;
      auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), g);
      if (ec != std::errc() || ptr != key.data() + key.size() || g <= 0 || !value.is_number_integer() ||
          value.get<std::int64_t>() < 0)
        return make_error(errc::bad_request, "field 'resume' must map group ids to seqs");
      h.resume[group_id{g}] = value.get<std::int64_t>();
    }
  }
  return client_frame{std::move(h)};
}

result<client_frame> decode_send(json const& j) {
  send_frame s;
  auto g = read_group(j);
  if (!g) return g.error();
  s.group = *g;
  auto cmid = required_string(j, "client_msg_id");
  if (!cmid) return cmid.error();
  s.client_msg_id = std::move(*cmid);
  auto ids = attachment_ids(j);
  if (!ids) return ids.error();
  s.attachments = std::move(*ids);
  // With attachments the body may be empty or absent (a photo without a caption).
  auto body = optional_string(j, "body");
  if (!body) return body.error();
  if (!*body && s.attachments.empty()) return make_error(errc::bad_request, "field 'body' is required");
  s.body = body->value_or("");
  auto reply = optional_int(j, "reply_to");
  if (!reply) return reply.error();
  s.reply_to = *reply;
  auto question = optional_bool(j, "question");
  if (!question) return question.error();
  s.question = question->value_or(false);
  return client_frame{std::move(s)};
}

result<client_frame> decode_quiz_answer(json const& j) {
  quiz_answer_frame a;
  auto quiz = required_int(j, "quiz_id");
  if (!quiz) return quiz.error();
  auto index = required_int(j, "index");
  if (!index) return index.error();
  if (*quiz <= 0 || *index < 0 || *index > 1000)
    return make_error(errc::bad_request, "fields 'quiz_id' and 'index' must be a quiz id and a question index");
  a.quiz_id = *quiz;
  a.index = static_cast<int>(*index);
  auto it = j.find("choice");
  if (it == j.end() || !it->is_array() || it->empty() || it->size() > 6)
    return make_error(errc::bad_request, "field 'choice' must be an array of 1–6 option indexes");
  for (auto const& v : *it) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 5)
      return make_error(errc::bad_request, "field 'choice' must hold option indexes 0–5");
    a.choice.push_back(static_cast<int>(v.get<std::int64_t>()));
  }
  return client_frame{std::move(a)};
}

result<client_frame> decode_body(json const& j, std::string const& type) {
  if (type == "quiz_answer") return decode_quiz_answer(j);
  if (type == "hello") return decode_hello(j);
  if (type == "send") return decode_send(j);
  if (type == "ping") return client_frame{ping_frame{}};
  if (type == "focus") {
    auto it = j.find("group_id");
    if (it == j.end()) return make_error(errc::bad_request, "field 'group_id' is required (a group id, or null)");
    if (it->is_null()) return client_frame{focus_frame{}};
    auto g = read_group(j);
    if (!g) return g.error();
    return client_frame{focus_frame{*g}};
  }
  if (type != "typing" && type != "read") return make_error(errc::bad_request, "unknown frame type '" + type + "'");
  auto g = read_group(j);
  if (!g) return g.error();
  if (type == "read") {
    auto seq = required_int(j, "seq");
    if (!seq) return seq.error();
    return client_frame{read_frame{*g, *seq}};
  }
  return client_frame{typing_frame{*g}};
}
}  // namespace

boost::system::result<decoded_frame, decode_error> decode_client_frame(std::string_view text, int max_depth) {
  auto j = parse_object(text, max_depth);
  if (!j) return decode_error{j.error(), std::nullopt};
  std::optional<std::string> ref;
  if (auto it = j->find("ref"); it != j->end() && it->is_string() && it->get_ref<std::string const&>().size() <= 128)
    ref = it->get<std::string>();
  auto type = required_string(*j, "type");
  if (!type) return decode_error{type.error(), ref};
  auto frame = decode_body(*j, *type);
  if (!frame) return decode_error{frame.error(), ref};
  return decoded_frame{std::move(*frame), ref};
}

}  // namespace peerchat::protocol
