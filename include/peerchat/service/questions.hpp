// SPDX-License-Identifier: MIT
// Questions and answers: asking (on send or later), accepting an answer, reopening, the
// open list and the group's median time to a first answer.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/domain/question.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::service {

struct questions_page {
  std::vector<question_view> questions;  // open: oldest first; answered: newest first
  std::optional<std::string> next_cursor;
};

// The window of the group's median time to a first answer (`median_first_answer_ms_30d`).
inline constexpr millis_t first_answer_window_ms = 30LL * 24 * 3600 * 1000;

// Writer-thread helpers the message and group services call.
// Makes the message just stored at `seq` a question (a send with question:true).
void record_question(store::database& db, group_id g, seq_t seq, user_id asker, millis_t asked_at);
// The questions among the messages low..high, for history pages.
std::map<seq_t, message_question> questions_in_range(store::database& db, group_id g, seq_t low, seq_t high);
// The person in columns first (id), first+1 (display name) and first+2 (account deleted): a
// deleted account reads as "Deleted user". Shared by the questions and library services.
person_ref read_person(store::statement& st, int first);
// Open questions of the group (`open_questions`).
std::int64_t open_question_count(store::database& db, group_id g);
// The median of the first-answer times of the questions asked since `since` that have an
// answer (`median_first_answer_ms_30d`); nullopt when none has.
std::optional<millis_t> median_first_answer_ms(store::database& db, group_id g, millis_t since);

// Thread safety: all methods from any worker thread (they block on the store).
// Marking, accepting and reopening spend the caller's edit budget (rate_limited when over).
class questions {
 public:
  explicit questions(context& ctx);

  // POST /groups/{id}/questions {seq}: the author marks an earlier message → question_asked.
  result<event> ask(user const& who, group_id g, seq_t seq);
  // The asker, an owner or an admin accepts a reply → question_answered.
  result<event> accept(user const& who, group_id g, seq_t question, seq_t answer);
  // The asker, an owner or an admin reopens an answered question → question_reopened.
  result<event> reopen(user const& who, group_id g, seq_t question);
  // GET /groups/{id}/questions?state=open|answered.
  result<questions_page> list(user const& who, group_id g, bool answered, std::optional<std::string> const& cursor,
                              int limit);

 private:
  context& ctx_;
  rate_limiter change_limit_;
};

}  // namespace peerchat::service
