// SPDX-License-Identifier: MIT
// Questions and the library of best practices, as members read them (docs/community.md).
#pragma once
#include "peerchat/core/ids.hpp"
#include <optional>
#include <string>
#include <vector>

namespace peerchat {

// Someone named beside a question, an answer or a library entry.
struct person_ref {
  user_id user{};
  std::string display_name;
  bool deleted = false;  // a deleted account ("Deleted user")
};

// What a message carries when it is a question (`question` in history).
struct message_question {
  bool answered = false;
  std::optional<seq_t> accepted_seq;
};

// A message quoted beside a question or an entry: the accepted answer.
struct quoted_message {
  seq_t seq = 0;
  person_ref sender;
  std::optional<std::string> body;  // nullopt once deleted
};

// One question of GET /groups/{id}/questions.
struct question_view {
  seq_t seq = 0;
  person_ref sender;
  std::string body;
  millis_t ts = 0;
  bool answered = false;
  std::int64_t answers = 0;                        // live replies by others than the asker
  std::optional<millis_t> first_answer_after_ms;   // from the question to the first such reply
  std::optional<quoted_message> accepted;          // the accepted answer while answered
};

// One entry of a group's library.
struct library_entry {
  std::int64_t id = 0;
  seq_t target_seq = 0;
  std::string title;
  std::vector<std::string> tags;
  std::optional<std::string> body;  // the message's current text; nullopt once it is deleted
  person_ref sender;
  person_ref curated_by;
  millis_t ts = 0;          // when it was saved
  millis_t updated_at = 0;  // last title or tag change
  std::optional<quoted_message> answer;  // when the message is a question with an accepted answer
};

}  // namespace peerchat
