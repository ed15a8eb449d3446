// SPDX-License-Identifier: MIT
// Push payload JSON, with the body truncated to fit the fixed size.
#include "peerchat/push/payload.hpp"
#include <nlohmann/json.hpp>

namespace peerchat::push {

namespace {
std::string dump(nlohmann::json const& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }
}  // namespace

std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n);
}

std::string message_payload_json(message_payload const& p, bool minimal) {
  if (minimal)
    return dump({{"type", "message"}, {"group_id", raw(p.group)}, {"seq", p.seq}, {"mention", p.mention}});
  std::string_view body = p.body;
  bool truncated = false;
  for (int round = 0; round < 64; ++round) {
    nlohmann::json j{{"type", "message"},
                     {"group_id", raw(p.group)},
                     {"group_name", p.group_name},
                     {"seq", p.seq},
                     {"sender", {{"user_id", raw(p.sender)}, {"display_name", p.sender_name}}},
                     {"body", body},
                     {"mention", p.mention},
                     {"truncated", truncated}};
    std::string out = dump(j);
    if (out.size() <= max_payload_json) return out;
    if (body.empty()) break;  // names alone too long (cannot happen with the name limits)
    // Escapes make the JSON longer than the text, so cutting the overflow from the text
    // always shrinks the JSON by at least as much.
    std::size_t over = out.size() - max_payload_json;
    body = utf8_prefix(body, body.size() > over ? body.size() - over : 0);
    truncated = true;
  }
  return message_payload_json(p, true);
}

std::string deletion_payload_json(group_id g, seq_t seq) {
  return dump({{"type", "message_deleted"}, {"group_id", raw(g)}, {"seq", seq}});
}

std::string attachments_summary(nlohmann::json const& attachments) {
  if (!attachments.is_array() || attachments.empty()) return {};
  auto mime_of = [](nlohmann::json const& a) { return a.is_object() ? a.value("mime", std::string()) : std::string(); };
  auto all = [&](std::string_view prefix) {
    for (auto const& a : attachments)
      if (!mime_of(a).starts_with(prefix)) return false;
    return true;
  };
  std::size_t n = attachments.size();
  if (all("image/")) return n == 1 ? "📷 Photo" : "📷 " + std::to_string(n) + " photos";
  if (n == 1 && all("audio/")) return "🎤 Voice note";
  if (n == 1 && all("video/")) return "🎬 Video";
  if (n == 1) {
    auto name = attachments[0].is_object() ? attachments[0].value("name", std::string()) : std::string();
    return "📎 " + (name.empty() ? std::string("File") : name);
  }
  return "📎 " + std::to_string(n) + " files";
}

}  // namespace peerchat::push
