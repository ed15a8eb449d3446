// SPDX-License-Identifier: MIT
// One entry of a group's event log, as committed and as sent to members.
#pragma once
#include "peerchat/core/ids.hpp"
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace peerchat {

enum class event_kind {
  message,
  message_edited,
  message_deleted,
  reaction_added,
  reaction_removed,
  member_joined,
  member_left,
  member_removed,
  role_changed,
  group_updated,
  // Community of practice (contract "Community of practice"; docs/community.md).
  question_asked,
  question_answered,
  question_reopened,
  library_added,
  library_updated,
  library_removed,
  kudos,
  poll,
  poll_voted,
  poll_closed,
  quiz_started,
  quiz_question,
  quiz_question_closed,
  quiz_finished,
  kudos_removed,
};

std::string_view to_string(event_kind k) noexcept;
std::optional<event_kind> parse_event_kind(std::string_view s) noexcept;

// A committed event. `wire` is the complete JSON text sent to clients, serialized once and
// shared by every connection it is delivered to.
struct event {
  group_id group{};
  seq_t seq = 0;
  millis_t ts = 0;
  event_kind kind = event_kind::message;
  user_id subject{};   // the member a membership event is about (joined/left/removed/role)
  std::shared_ptr<const std::string> wire;
};

}  // namespace peerchat
