// SPDX-License-Identifier: MIT
// The decrypted JSON a service worker receives (contract: "Notifications"), always one size.
#pragma once
#include "peerchat/core/ids.hpp"
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace peerchat::push {

// Every payload is padded to this many bytes before encryption (the JSON, the 0x02
// delimiter and zeros), so the encrypted body is always 86 + 2048 + 16 = 2150 bytes: well
// under Firefox for Android's ~3000-byte limit, and its length says nothing about the text.
inline constexpr std::size_t padded_payload_size = 2048;
inline constexpr std::size_t max_payload_json = padded_payload_size - 1;

struct message_payload {
  group_id group{};
  std::string group_name;
  seq_t seq = 0;
  user_id sender{};
  std::string sender_name;
  std::string body;
  bool mention = false;
};

// {"type":"message","group_id","group_name","seq","sender":{user_id,display_name},"body",
// "mention","truncated"}, the body cut on a UTF-8 boundary so the JSON fits max_payload_json
// (truncated:true then). `minimal`: only type, group_id, seq and mention — no text, sender or
// group name leaves the server, even encrypted.
std::string message_payload_json(message_payload const& p, bool minimal);

// {"type":"message_deleted","group_id","seq"}: the service worker closes that notification.
std::string deletion_payload_json(group_id g, seq_t seq);

// What a notification says for a message of attachments only (its `attachments` array):
// "📷 Photo", "📷 3 photos", "🎤 Voice note", "🎬 Video", "📎 report.pdf", "📎 4 files".
// Empty when the list is empty or not a list.
std::string attachments_summary(nlohmann::json const& attachments);

// The longest prefix of `s` of at most `max` bytes that ends on a UTF-8 character boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max);

}  // namespace peerchat::push
