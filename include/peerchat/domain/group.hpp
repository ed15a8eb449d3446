// SPDX-License-Identifier: MIT
// A private group, its members, and one user's view of it.
#pragma once
#include "peerchat/core/ids.hpp"
#include "peerchat/domain/role.hpp"
#include <optional>
#include <string>
#include <vector>

namespace peerchat {

struct group {
  group_id id{};
  std::string name;
  std::string topic;
  seq_t last_seq = 0;
  millis_t created_at = 0;
  std::string kind = "group";  // "group", or "direct": a conversation of exactly two people
};

struct member {
  user_id user{};
  std::string username;
  std::string display_name;
  peerchat::role role = role::member;
  seq_t last_read_seq = 0;  // how far they have read ("seen by")
  std::string about;        // their profile line
  millis_t avatar_at = 0;   // when their avatar was set; 0: none
};

// A group as one of its members sees it in their list.
struct group_summary {
  peerchat::group group;
  peerchat::role role = role::member;
  seq_t last_read_seq = 0;
  std::int64_t unread = 0;
  std::string notify_level = "all";     // all | mentions | none (GET /groups `notify`)
  std::optional<millis_t> muted_until;  // nothing is pushed before this time
  // A direct conversation: the other person, whom clients show in place of a group name.
  struct direct_peer {
    user_id user{};
    std::string username;
    std::string display_name;
    bool deleted = false;  // their account was deleted ("Deleted user")
  };
  std::optional<direct_peer> peer;
  // Questions (issue 14): how many are open, and the median time to a first answer over the
  // last 30 days (nullopt: no question of that window has an answer).
  std::int64_t open_questions = 0;
  std::optional<millis_t> median_first_answer_ms_30d;
};

struct group_detail {
  group_summary summary;
  std::vector<member> members;
  std::vector<bool> online;  // beside members, from the live hub
};

}  // namespace peerchat
