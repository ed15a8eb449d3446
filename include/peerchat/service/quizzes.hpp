// SPDX-License-Identifier: MIT
// The live quiz (contract "Community of practice", Live quiz; docs/community.md): drafts,
// the server's clock for each question, answers judged and scored on arrival, leaderboards.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::service {

struct quiz_question_input {
  std::string text;                  // 1–500 characters
  std::vector<std::string> options;  // 2–6, each 1–200 characters
  std::vector<int> correct;          // ≥ 1 distinct option indexes
  int seconds = 20;                  // 5–120
};

struct quiz_draft {
  std::string title;                          // 1–200 characters
  std::vector<quiz_question_input> questions;  // 1–50
};

// What the `quiz_answer_ack` frame carries.
struct quiz_answer_ack {
  std::int64_t quiz_id = 0;
  int index = 0;
  std::vector<int> choice;
  millis_t answered_at = 0;
  millis_t remaining_ms = 0;  // left on the question when the answer arrived
};

// The timing rules, named so docs and tests speak of the same numbers.
struct quiz_timing {
  // After a question closes, a quiz whose host has no open connection moves on by itself.
  millis_t host_gone_pause_ms = 15'000;
  // A running quiz with neither a host's move nor a player's answer for this long ends.
  millis_t idle_end_ms = 10 * 60'000;
};

// round(500 + 500 × remaining / allowed) for a correct answer, 0 otherwise.
int quiz_score(bool correct, millis_t remaining_ms, millis_t allowed_ms);

// Thread safety: every method may be called from any worker thread (they block on the store);
// the clock's schedule (running_) is guarded by mutex_. tick() is never run twice at once.
class quizzes {
 public:
  using ojson = nlohmann::ordered_json;

  explicit quizzes(context& ctx, quiz_timing timing = {});

  // POST /groups/{id}/quizzes → the draft as GET shows it to its host.
  result<ojson> create(principal const& who, group_id g, quiz_draft draft);
  // GET /groups/{id}/quizzes: the caller's own drafts and every started quiz, newest first.
  result<ojson> list(principal const& who, group_id g, int limit, std::optional<std::int64_t> before_id);
  // GET /groups/{id}/quizzes/{quiz_id}: its state and the caller's own answers.
  result<ojson> view(principal const& who, group_id g, std::int64_t quiz_id);
  // DELETE of a draft (its host only).
  result<void> remove_draft(principal const& who, group_id g, std::int64_t quiz_id);

  // POST …/start (the host): quiz_started, then the first quiz_question. Returns quiz_started.
  result<event> start(principal const& who, group_id g, std::int64_t quiz_id);
  // POST …/next (the host, an owner or an admin) once the open question has closed: the next
  // question, or quiz_finished after the last. Returns that event.
  result<event> next(principal const& who, group_id g, std::int64_t quiz_id);
  // POST …/end (the host, an owner or an admin): closes an open question, then quiz_finished.
  result<event> end(principal const& who, group_id g, std::int64_t quiz_id);

  // The `quiz_answer` frame: judged on the server's clock when it arrives. Late, twice, or for
  // a question that went out before the caller joined the group: conflict.
  result<quiz_answer_ack> answer(user const& who, std::int64_t quiz_id, int index, std::vector<int> choice);

  // Closes questions at their deadline, moves on for a host who is gone, ends idle quizzes.
  // Touches the store only when one of those is due.
  void tick();

 private:
  // What the clock needs to know of a running quiz, kept in memory.
  struct running {
    user_id host{};
    bool question_open = false;
    millis_t deadline = 0;    // question_open: when it closes
    millis_t closed_at = 0;   // !question_open: when the last question closed
    millis_t active_at = 0;
  };
  void load_running();
  // Brings the schedule up to date with a quiz's row (after every change to it).
  void reschedule(store::database& db, std::int64_t quiz_id);
  void refresh_schedule(std::int64_t quiz_id);
  bool host_present(user_id host) const;
  // One step of the clock for one quiz, inside a writer job.
  void advance(store::database& db, store::event_list& events, std::int64_t quiz_id, millis_t now, bool host_gone);

  context& ctx_;
  quiz_timing timing_;
  rate_limiter create_limit_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, running> running_;  // guarded by mutex_
};

}  // namespace peerchat::service
