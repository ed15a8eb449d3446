// SPDX-License-Identifier: MIT
// JSON shapes of users, groups, invites, messages and errors.
#include "peerchat/protocol/wire.hpp"

namespace peerchat::protocol {

std::string error_body(error const& e) {
  ojson inner{{"code", to_string(e.code)}, {"message", e.message}};
  if (e.code == errc::rate_limited) inner["retry_after_ms"] = e.retry_after_ms;
  // Messages may quote client input (a parse error shows what it read): never let an
  // invalid byte there turn an answer into an exception.
  return ojson{{"error", std::move(inner)}}.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

ojson to_json(user const& u) {
  ojson out{{"id", raw(u.id)}, {"username", u.username}, {"display_name", u.display_name}, {"is_admin", u.is_admin}};
  out["about"] = u.about;
  out["avatar"] = u.has_avatar();
  if (u.has_avatar()) out["avatar_at"] = u.avatar_at;  // names the version: ?v=avatar_at busts caches
  return out;
}

ojson public_profile_json(user const& u) {
  ojson out{{"user_id", raw(u.id)}, {"username", u.username}, {"display_name", u.display_name}, {"about", u.about},
            {"avatar", u.has_avatar()}};
  if (u.has_avatar()) out["avatar_at"] = u.avatar_at;
  return out;
}

ojson to_json(group_summary const& g) {
  ojson out{{"id", raw(g.group.id)},           {"name", g.group.name},
          {"topic", g.group.topic},          {"role", to_string(g.role)},
          {"last_seq", g.group.last_seq},    {"last_read_seq", g.last_read_seq},
          {"unread", g.unread},              {"created_at", g.group.created_at},
          {"notify", {{"level", g.notify_level}, {"muted_until", g.muted_until ? ojson(*g.muted_until) : ojson(nullptr)}}},
          {"kind", g.group.kind}};
  if (g.peer) {  // a direct conversation: whom clients name it after
    out["peer"] = {{"user_id", raw(g.peer->user)}, {"username", g.peer->username}, {"display_name", g.peer->display_name}};
    if (g.peer->deleted) out["peer"]["deleted"] = true;
  }
  out["open_questions"] = g.open_questions;
  out["median_first_answer_ms_30d"] = g.median_first_answer_ms_30d ? ojson(*g.median_first_answer_ms_30d) : ojson(nullptr);
  return out;
}

ojson to_json(member const& m) {
  ojson out{{"user_id", raw(m.user)}, {"username", m.username}, {"display_name", m.display_name},
            {"role", to_string(m.role)}, {"last_read_seq", m.last_read_seq}, {"about", m.about},
            {"avatar", m.avatar_at != 0}};
  if (m.avatar_at != 0) out["avatar_at"] = m.avatar_at;  // as on a user: the avatar URL's version
  return out;
}

ojson to_json(group_detail const& g) {
  ojson out = to_json(g.summary);
  ojson members = ojson::array();
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    ojson m = to_json(g.members[i]);
    m["online"] = i < g.online.size() && g.online[i];
    members.push_back(std::move(m));
  }
  out["members"] = std::move(members);
  return out;
}

ojson to_json(invite const& inv, std::string const& public_url) {
  return {{"code", inv.code},
          {"url", public_url + "/invite/" + inv.code},
          {"max_uses", inv.max_uses},
          {"uses", inv.uses},
          {"expires_at", inv.expires_at},
          {"created_at", inv.created_at}};
}

ojson to_json(invite_preview const& p) {
  return {{"group_name", p.group_name}, {"inviter", {{"display_name", p.inviter_display_name}}}, {"expires_at", p.expires_at}};
}

ojson to_json(message_view const& m) {
  ojson out{{"seq", m.seq},
            {"id", m.id},
            {"ts", m.ts},
            {"sender", {{"user_id", raw(m.sender)}, {"display_name", m.sender_display_name}}},
            {"client_msg_id", m.client_msg_id}};
  if (m.sender_deleted) out["sender"]["deleted"] = true;
  if (m.body)
    out["body"] = *m.body;
  else
    out["deleted"] = true;
  if (m.reply_to) out["reply_to"] = *m.reply_to;
  if (m.edited_at) out["edited_at"] = *m.edited_at;
  ojson reactions = ojson::object();
  for (auto const& [emoji, users] : m.reactions) reactions[emoji] = users;
  out["reactions"] = std::move(reactions);
  out["mentions"] = m.mentions;
  if (!m.attachments.empty()) {
    ojson list = ojson::array();
    for (auto const& a : m.attachments) list.push_back(attachment_json(a));
    out["attachments"] = std::move(list);
  }
  if (m.question && m.body) {  // a question: its state, and the accepted answer's seq
    out["question"] = {{"state", m.question->answered ? "answered" : "open"}};
    if (m.question->accepted_seq) out["question"]["accepted_seq"] = *m.question->accepted_seq;
  }
  return out;
}

ojson to_json(search_hit const& h) {
  ojson out{{"group_id", raw(h.group)},
          {"seq", h.seq},
          {"ts", h.ts},
          {"sender", {{"user_id", raw(h.sender)}, {"display_name", h.sender_display_name}}},
          {"snippet", h.snippet}};
  if (h.sender_deleted) out["sender"]["deleted"] = true;
  return out;
}

}  // namespace peerchat::protocol
