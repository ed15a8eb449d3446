// SPDX-License-Identifier: MIT
// Event kind names on the wire and in the store.
#include "peerchat/domain/event.hpp"
#include <array>
#include <utility>

namespace peerchat {

namespace {
constexpr std::array<std::pair<event_kind, std::string_view>, 25> names{{
    {event_kind::message, "message"},
    {event_kind::message_edited, "message_edited"},
    {event_kind::message_deleted, "message_deleted"},
    {event_kind::reaction_added, "reaction_added"},
    {event_kind::reaction_removed, "reaction_removed"},
    {event_kind::member_joined, "member_joined"},
    {event_kind::member_left, "member_left"},
    {event_kind::member_removed, "member_removed"},
    {event_kind::role_changed, "role_changed"},
    {event_kind::group_updated, "group_updated"},
    {event_kind::question_asked, "question_asked"},
    {event_kind::question_answered, "question_answered"},
    {event_kind::question_reopened, "question_reopened"},
    {event_kind::library_added, "library_added"},
    {event_kind::library_updated, "library_updated"},
    {event_kind::library_removed, "library_removed"},
    {event_kind::kudos, "kudos"},
    {event_kind::poll, "poll"},
    {event_kind::poll_voted, "poll_voted"},
    {event_kind::poll_closed, "poll_closed"},
    {event_kind::quiz_started, "quiz_started"},
    {event_kind::quiz_question, "quiz_question"},
    {event_kind::quiz_question_closed, "quiz_question_closed"},
    {event_kind::quiz_finished, "quiz_finished"},
    {event_kind::kudos_removed, "kudos_removed"},
}};
}  // namespace

std::string_view to_string(event_kind k) noexcept {
  for (auto const& [kind, name] : names)
    if (kind == k) return name;
  return "message";
}

std::optional<event_kind> parse_event_kind(std::string_view s) noexcept {
  for (auto const& [kind, name] : names)
    if (name == s) return kind;
  return std::nullopt;
}

}  // namespace peerchat
