// SPDX-License-Identifier: MIT
// Messages as members read them: current state for history, and search hits.
#pragma once
#include "peerchat/core/ids.hpp"
#include "peerchat/domain/attachment.hpp"
#include "peerchat/domain/question.hpp"
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace peerchat {

// A message in its current state (edits applied).
struct message_view {
  seq_t seq = 0;
  std::int64_t id = 0;
  millis_t ts = 0;
  user_id sender{};
  std::string sender_display_name;
  std::optional<std::string> body;  // nullopt once deleted
  std::string client_msg_id;
  std::optional<seq_t> reply_to;
  std::optional<millis_t> edited_at;
  std::map<std::string, std::vector<std::int64_t>> reactions;  // emoji → user ids
  std::vector<std::int64_t> mentions;  // user ids the body mentions (empty once deleted)
  std::vector<attachment_info> attachments;  // in the order sent (empty once deleted)
  bool sender_deleted = false;  // the sender's account is deleted ("Deleted user")
  std::optional<message_question> question;  // when the message is a question (issue 14)
};

struct search_hit {
  group_id group{};
  seq_t seq = 0;
  millis_t ts = 0;
  user_id sender{};
  std::string sender_display_name;
  std::string snippet;  // matches between U+0002 and U+0003
  bool sender_deleted = false;  // the sender's account is deleted ("Deleted user")
};

}  // namespace peerchat
