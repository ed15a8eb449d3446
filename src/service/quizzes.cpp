// SPDX-License-Identifier: MIT
// The live quiz: drafts, the server's clock, answers judged on arrival, leaderboards.
#include "peerchat/service/quizzes.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/validation.hpp"
#include <algorithm>
#include <cmath>
#include <set>
#include <spdlog/spdlog.h>

namespace peerchat::service {

namespace {
using ojson = nlohmann::ordered_json;

constexpr std::size_t max_questions = 50;
constexpr int leaderboard_size = 100;  // bounds an event; groups are far smaller in practice

constexpr char quiz_sql[] =
    "SELECT id, group_id, host_id, title, state, current_index, opened_at, deadline_ts, closed_at, active_at, "
    "created_at, started_at, finished_at, (SELECT count(*) FROM quiz_questions q WHERE q.quiz_id = quizzes.id), "
    "started_seq, finished_seq "
    "FROM quizzes WHERE id = ?1";
constexpr char question_sql[] = "SELECT text, options, correct, seconds FROM quiz_questions WHERE quiz_id = ?1 AND idx = ?2";
constexpr char set_state_sql[] =
    "UPDATE quizzes SET state = ?2, current_index = ?3, opened_at = ?4, deadline_ts = ?5, closed_at = ?6, "
    "active_at = coalesce(?7, active_at), started_at = coalesce(started_at, ?8), finished_at = ?9 WHERE id = ?1";
constexpr char leaderboard_sql[] =
    "SELECT a.user_id, u.display_name, sum(a.score) AS total FROM quiz_answers a JOIN users u ON u.id = a.user_id "
    "WHERE a.quiz_id = ?1 AND a.idx <= ?2 GROUP BY a.user_id ORDER BY total DESC, a.user_id LIMIT ?3";

struct quiz_row {
  std::int64_t id = 0;
  group_id group{};
  user_id host{};
  std::string title;
  std::string state;
  int index = -1;
  std::optional<millis_t> opened_at, deadline, closed_at, active_at;
  millis_t created_at = 0;
  std::optional<millis_t> started_at, finished_at;
  int questions = 0;
  std::optional<std::int64_t> started_seq, finished_seq;  // its cards' places in the conversation
};

struct question_row {
  std::string text;
  std::vector<std::string> options;
  std::vector<int> correct;
  int seconds = 0;
};

std::optional<millis_t> opt_int(store::statement& st, int col) {
  if (st.is_null(col)) return std::nullopt;
  return st.int64(col);
}

std::optional<quiz_row> load_quiz(store::database& db, std::int64_t id) {
  auto& st = db.prepare(quiz_sql).bind(1, id);
  if (!st.step()) return std::nullopt;
  quiz_row q;
  q.id = st.int64(0);
  q.group = group_id{st.int64(1)};
  q.host = user_id{st.int64(2)};
  q.title = st.text(3);
  q.state = st.text(4);
  q.index = static_cast<int>(st.int64(5));
  q.opened_at = opt_int(st, 6);
  q.deadline = opt_int(st, 7);
  q.closed_at = opt_int(st, 8);
  q.active_at = opt_int(st, 9);
  q.created_at = st.int64(10);
  q.started_at = opt_int(st, 11);
  q.finished_at = opt_int(st, 12);
  q.questions = static_cast<int>(st.int64(13));
  q.started_seq = opt_int(st, 14);
  q.finished_seq = opt_int(st, 15);
  st.reset();
  return q;
}

question_row load_question(store::database& db, std::int64_t quiz, int index) {
  auto& st = db.prepare(question_sql).bind(1, quiz).bind(2, index);
  if (!st.step()) throw std::runtime_error("quiz question missing");
  question_row q;
  q.text = st.text(0);
  q.options = nlohmann::json::parse(st.text_view(1)).get<std::vector<std::string>>();
  q.correct = nlohmann::json::parse(st.text_view(2)).get<std::vector<int>>();
  q.seconds = static_cast<int>(st.int64(3));
  st.reset();
  return q;
}

// A quiz of group g the caller may see: drafts only by their host; not_found otherwise.
result<quiz_row> visible_quiz(store::database& db, user_id who, group_id g, std::int64_t id) {
  if (auto r = require_member(db, g, who); !r) return r.error();
  auto q = load_quiz(db, id);
  if (!q || q->group != g || (q->state == "draft" && q->host != who)) return make_error(errc::not_found, "no such quiz");
  return *q;
}

// The host, an owner or an admin may move a running quiz on.
result<void> require_runner(store::database& db, quiz_row const& q, user_id who) {
  if (q.host == who) return {};
  auto r = role_of(db, q.group, who);
  if (r == role::owner || r == role::admin) return {};
  return make_error(errc::forbidden, "only the quiz's host, an owner or an admin can do that");
}

// Runs step(db, events, quiz) in a write job once the caller may see the quiz and move it on
// (next, end).
template <class Step>
result<event> as_runner(context& ctx, principal const& who, group_id g, std::int64_t quiz_id, Step step) {
  return ctx.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    auto q = visible_quiz(db, who.user.id, g, quiz_id);
    if (!q) return q.error();
    if (auto r = require_runner(db, *q, who.user.id); !r) return r.error();
    return step(db, events, *q);
  });
}

ojson leaderboard(store::database& db, std::int64_t quiz, int up_to_index) {
  ojson out = ojson::array();
  auto& st = db.prepare(leaderboard_sql).bind(1, quiz).bind(2, up_to_index).bind(3, leaderboard_size);
  while (st.step())
    out.push_back({{"user_id", st.int64(0)}, {"display_name", st.text(1)}, {"score", st.int64(2)}});
  return out;
}

// How many answers chose each option.
std::vector<int> option_counts(store::database& db, std::int64_t quiz, int index, std::size_t options, int* answered) {
  std::vector<int> counts(options, 0);
  auto& st = db.prepare("SELECT choice FROM quiz_answers WHERE quiz_id = ?1 AND idx = ?2").bind(1, quiz).bind(2, index);
  int n = 0;
  while (st.step()) {
    ++n;
    for (int i : nlohmann::json::parse(st.text_view(0)).get<std::vector<int>>())
      if (i >= 0 && static_cast<std::size_t>(i) < options) ++counts[static_cast<std::size_t>(i)];
  }
  if (answered) *answered = n;
  return counts;
}

void set_state(store::database& db, std::int64_t id, std::string_view state, int index, std::optional<millis_t> opened,
               std::optional<millis_t> deadline, std::optional<millis_t> closed, std::optional<millis_t> active,
               std::optional<millis_t> started, std::optional<millis_t> finished) {
  db.prepare(set_state_sql)
      .bind(1, id).bind(2, state).bind(3, index).bind(4, opened).bind(5, deadline).bind(6, closed)
      .bind(7, active).bind(8, started).bind(9, finished)
      .exec();
}

// Sends question `index` out with its deadline on the server's clock.
event open_question(store::database& db, store::event_list& events, quiz_row const& q, int index, millis_t now,
                    std::optional<user_id> actor, std::optional<millis_t> active) {
  auto question = load_question(db, q.id, index);
  millis_t allowed = question.seconds * 1000LL;
  set_state(db, q.id, "question", index, now, now + allowed, std::nullopt, active, now, std::nullopt);
  return append_event(db, events,
                      {q.group, event_kind::quiz_question, now, actor, std::nullopt, user_id{},
                       {{"quiz_id", q.id}, {"index", index}, {"text", question.text}, {"options", question.options},
                        {"deadline_ts", now + allowed}, {"remaining_ms", allowed}, {"seconds", question.seconds},
                        {"multiple", question.correct.size() > 1}, {"questions", q.questions}}});
}

// At the deadline (or when the host ends the quiz early): the right answer, counts, leaderboard.
event close_question(store::database& db, store::event_list& events, quiz_row const& q, millis_t now,
                     std::optional<user_id> actor) {
  auto question = load_question(db, q.id, q.index);
  int answered = 0;
  auto counts = option_counts(db, q.id, q.index, question.options.size(), &answered);
  set_state(db, q.id, "results", q.index, q.opened_at, q.deadline, now, std::nullopt, std::nullopt, std::nullopt);
  return append_event(db, events,
                      {q.group, event_kind::quiz_question_closed, now, actor, std::nullopt, user_id{},
                       {{"quiz_id", q.id}, {"index", q.index}, {"correct", question.correct}, {"counts", counts},
                        {"answered", answered}, {"leaderboard", leaderboard(db, q.id, q.index)},
                        {"last", q.index + 1 >= q.questions}}});
}

event finish(store::database& db, store::event_list& events, quiz_row const& q, millis_t now, std::optional<user_id> actor) {
  set_state(db, q.id, "finished", q.index, q.opened_at, q.deadline, q.closed_at.value_or(now), std::nullopt, std::nullopt, now);
  auto e = append_event(db, events,
                        {q.group, event_kind::quiz_finished, now, actor, std::nullopt, user_id{},
                         {{"quiz_id", q.id}, {"title", q.title}, {"leaderboard", leaderboard(db, q.id, q.index)}}});
  db.prepare("UPDATE quizzes SET finished_seq = ?2 WHERE id = ?1").bind(1, q.id).bind(2, e.seq).exec();
  return e;
}

result<std::string> check_text(std::string_view s, std::size_t max_chars, std::string const& what) {
  auto r = check_body(s, max_chars);
  if (!r) return make_error(errc::bad_request, what + " must be 1–" + std::to_string(max_chars) + " characters");
  return r;
}

result<quiz_draft> check_draft(quiz_draft d) {
  auto title = check_text(d.title, 200, "the title");
  if (!title) return title.error();
  d.title = std::move(*title);
  if (d.questions.empty() || d.questions.size() > max_questions)
    return make_error(errc::bad_request, "a quiz has 1–" + std::to_string(max_questions) + " questions");
  for (std::size_t i = 0; i < d.questions.size(); ++i) {
    auto& q = d.questions[i];
    std::string where = "question " + std::to_string(i + 1);
    auto text = check_text(q.text, 500, where + "'s text");
    if (!text) return text.error();
    q.text = std::move(*text);
    if (q.options.size() < 2 || q.options.size() > 6) return make_error(errc::bad_request, where + " needs 2–6 options");
    for (auto& o : q.options) {
      auto opt = check_text(o, 200, "each option of " + where);
      if (!opt) return opt.error();
      o = std::move(*opt);
    }
    std::set<int> correct(q.correct.begin(), q.correct.end());
    if (correct.empty() || correct.size() != q.correct.size() || *correct.begin() < 0 ||
        *correct.rbegin() >= static_cast<int>(q.options.size()))
      return make_error(errc::bad_request, where + " needs at least one correct option, each an index of its options, once");
    q.correct.assign(correct.begin(), correct.end());
    if (q.seconds < 5 || q.seconds > 120) return make_error(errc::bad_request, where + " needs 5–120 seconds");
  }
  return d;
}

ojson summary(quiz_row const& q) {
  ojson j{{"id", q.id}, {"group_id", raw(q.group)}, {"title", q.title}, {"host_user_id", raw(q.host)},
          {"state", q.state}, {"questions", q.questions}, {"index", q.index}, {"created_at", q.created_at}};
  j["started_at"] = q.started_at ? ojson(*q.started_at) : ojson(nullptr);
  j["finished_at"] = q.finished_at ? ojson(*q.finished_at) : ojson(nullptr);
  j["started_seq"] = q.started_seq ? ojson(*q.started_seq) : ojson(nullptr);
  j["finished_seq"] = q.finished_seq ? ojson(*q.finished_seq) : ojson(nullptr);
  return j;
}
}  // namespace

int quiz_score(bool correct, millis_t remaining_ms, millis_t allowed_ms) {
  if (!correct || allowed_ms <= 0) return 0;
  double remaining = static_cast<double>(std::clamp<millis_t>(remaining_ms, 0, allowed_ms));
  return static_cast<int>(std::lround(500.0 + 500.0 * remaining / static_cast<double>(allowed_ms)));
}

quizzes::quizzes(context& ctx, quiz_timing timing)
    : ctx_(ctx), timing_(timing), create_limit_(ctx.clock, 0.2, 10) {
  load_running();
}

void quizzes::load_running() {
  ctx_.reader.with([&](store::database& db) {
    auto& st = db.prepare("SELECT id FROM quizzes WHERE state IN ('question', 'results')");
    std::vector<std::int64_t> ids;
    while (st.step()) ids.push_back(st.int64(0));
    st.reset();
    for (auto id : ids) reschedule(db, id);
    return 0;
  });
}

void quizzes::reschedule(store::database& db, std::int64_t quiz_id) {
  auto q = load_quiz(db, quiz_id);
  std::lock_guard lock(mutex_);
  if (!q || (q->state != "question" && q->state != "results")) {
    running_.erase(quiz_id);
    return;
  }
  running r;
  r.host = q->host;
  r.question_open = q->state == "question";
  r.deadline = q->deadline.value_or(0);
  r.closed_at = q->closed_at.value_or(0);
  r.active_at = q->active_at.value_or(q->started_at.value_or(0));
  running_[quiz_id] = r;
}

void quizzes::refresh_schedule(std::int64_t quiz_id) {
  ctx_.reader.with([&](store::database& db) {
    reschedule(db, quiz_id);
    return 0;
  });
}

bool quizzes::host_present(user_id host) const {
  // Without the live side (a tool, a test that does not say) the host counts as present:
  // the quiz then waits for them, the cautious choice.
  return !ctx_.hooks.is_online || ctx_.hooks.is_online(host);
}

result<ojson> quizzes::create(principal const& who, group_id g, quiz_draft draft) {
  auto checked = check_draft(std::move(draft));
  if (!checked) return checked.error();
  if (auto r = create_limit_.spend(std::to_string(raw(who.user.id)), "you are creating quizzes too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  auto id = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<std::int64_t> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    db.prepare("INSERT INTO quizzes (group_id, host_id, title, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, raw(g)).bind(2, raw(who.user.id)).bind(3, checked->title).bind(4, now).exec();
    std::int64_t quiz = db.last_insert_rowid();
    for (std::size_t i = 0; i < checked->questions.size(); ++i) {
      auto const& q = checked->questions[i];
      db.prepare("INSERT INTO quiz_questions (quiz_id, idx, text, options, correct, seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
          .bind(1, quiz).bind(2, static_cast<std::int64_t>(i)).bind(3, q.text)
          .bind(4, nlohmann::json(q.options).dump()).bind(5, nlohmann::json(q.correct).dump()).bind(6, q.seconds)
          .exec();
    }
    return quiz;
  });
  if (!id) return id.error();
  return view(who, g, *id);
}

result<ojson> quizzes::list(principal const& who, group_id g, int limit, std::optional<std::int64_t> before_id) {
  return ctx_.reader.with([&](store::database& db) -> result<ojson> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    auto& st = db.prepare(
                     "SELECT id FROM quizzes WHERE group_id = ?1 AND (state <> 'draft' OR host_id = ?2) AND id < ?3 "
                     "ORDER BY id DESC LIMIT ?4")
                   .bind(1, raw(g)).bind(2, raw(who.user.id)).bind(3, before_id.value_or(INT64_MAX)).bind(4, limit + 1);
    std::vector<std::int64_t> ids;
    while (st.step()) ids.push_back(st.int64(0));
    st.reset();
    ojson out{{"quizzes", ojson::array()}, {"next_cursor", nullptr}};
    for (std::size_t i = 0; i < ids.size() && i < static_cast<std::size_t>(limit); ++i)
      if (auto q = load_quiz(db, ids[i])) out["quizzes"].push_back(summary(*q));
    if (ids.size() > static_cast<std::size_t>(limit)) out["next_cursor"] = std::to_string(ids[static_cast<std::size_t>(limit) - 1]);
    return result<ojson>(boost::system::in_place_value, std::move(out));
  });
}

result<ojson> quizzes::view(principal const& who, group_id g, std::int64_t quiz_id) {
  millis_t now = ctx_.clock.now();
  return ctx_.reader.with([&](store::database& db) -> result<ojson> {
    auto q = visible_quiz(db, who.user.id, g, quiz_id);
    if (!q) return q.error();
    ojson j = summary(*q);
    // The last question whose results everyone has seen.
    int closed_up_to = q->state == "question" ? q->index - 1 : q->index;
    if (q->state == "question") {
      auto question = load_question(db, q->id, q->index);
      millis_t deadline = q->deadline.value_or(now);
      j["question"] = {{"index", q->index}, {"text", question.text}, {"options", question.options},
                       {"multiple", question.correct.size() > 1}, {"seconds", question.seconds},
                       {"deadline_ts", deadline}, {"remaining_ms", std::max<millis_t>(0, deadline - now)}};
    }
    if ((q->state == "results" || q->state == "finished") && q->index >= 0) {
      auto question = load_question(db, q->id, q->index);
      int answered = 0;
      auto counts = option_counts(db, q->id, q->index, question.options.size(), &answered);
      j["closed"] = {{"index", q->index}, {"text", question.text}, {"options", question.options},
                     {"correct", question.correct}, {"counts", counts}, {"answered", answered},
                     {"last", q->index + 1 >= q->questions}};
    }
    j["leaderboard"] = q->state == "draft" ? ojson::array() : leaderboard(db, q->id, closed_up_to);
    // The caller's own answers; the score and the verdict once the question has closed.
    ojson mine = ojson::array();
    std::int64_t my_score = 0;
    auto& st = db.prepare("SELECT idx, choice, answered_at, score FROM quiz_answers WHERE quiz_id = ?1 AND user_id = ?2 ORDER BY idx")
                   .bind(1, q->id).bind(2, raw(who.user.id));
    while (st.step()) {
      int idx = static_cast<int>(st.int64(0));
      ojson a{{"index", idx}, {"choice", ojson::parse(st.text_view(1))}, {"answered_at", st.int64(2)}};
      if (idx <= closed_up_to) {
        a["score"] = st.int64(3);
        a["correct"] = st.int64(3) > 0;
        my_score += st.int64(3);
      }
      mine.push_back(std::move(a));
    }
    st.reset();
    j["my_answers"] = std::move(mine);
    j["my_score"] = my_score;
    if (q->host == who.user.id) {  // the host sees the whole quiz, answers included
      ojson items = ojson::array();
      for (int i = 0; i < q->questions; ++i) {
        auto question = load_question(db, q->id, i);
        items.push_back({{"text", question.text}, {"options", question.options}, {"correct", question.correct},
                         {"seconds", question.seconds}});
      }
      j["items"] = std::move(items);
    }
    return result<ojson>(boost::system::in_place_value, std::move(j));
  });
}

result<void> quizzes::remove_draft(principal const& who, group_id g, std::int64_t quiz_id) {
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    auto q = visible_quiz(db, who.user.id, g, quiz_id);
    if (!q) return q.error();
    if (q->state != "draft") return make_error(errc::conflict, "a quiz that has started stays in the group's history");
    if (q->host != who.user.id) return make_error(errc::forbidden, "only its host can delete a draft");
    db.prepare("DELETE FROM quizzes WHERE id = ?1").bind(1, q->id).exec();
    return {};
  });
}

result<event> quizzes::start(principal const& who, group_id g, std::int64_t quiz_id) {
  millis_t now = ctx_.clock.now();
  auto started = ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    auto q = visible_quiz(db, who.user.id, g, quiz_id);
    if (!q) return q.error();
    if (q->host != who.user.id) return make_error(errc::forbidden, "only its host can start a quiz");
    if (q->state != "draft") return make_error(errc::conflict, "this quiz has already started");
    auto& busy = db.prepare("SELECT 1 FROM quizzes WHERE group_id = ?1 AND state IN ('question', 'results')").bind(1, raw(g));
    bool other_running = busy.step();
    busy.reset();
    if (other_running) return make_error(errc::conflict, "another quiz is running in this group; end it first");
    auto e = append_event(db, events,
                          {g, event_kind::quiz_started, now, who.user.id, std::nullopt, user_id{},
                           {{"quiz_id", q->id}, {"title", q->title}, {"host_user_id", raw(q->host)}, {"questions", q->questions}}});
    db.prepare("UPDATE quizzes SET started_seq = ?2 WHERE id = ?1").bind(1, q->id).bind(2, e.seq).exec();
    open_question(db, events, *q, 0, now, who.user.id, now);
    return e;
  });
  if (started) refresh_schedule(quiz_id);
  return started;
}

result<event> quizzes::next(principal const& who, group_id g, std::int64_t quiz_id) {
  millis_t now = ctx_.clock.now();
  auto moved = as_runner(ctx_, who, g, quiz_id, [&](store::database& db, store::event_list& events, quiz_row& q) -> result<event> {
    if (q.state == "question") return make_error(errc::conflict, "the question is still open; wait for its deadline");
    if (q.state != "results") return make_error(errc::conflict, q.state == "draft" ? "this quiz has not started" : "this quiz has finished");
    if (q.index + 1 >= q.questions) return finish(db, events, q, now, who.user.id);
    return open_question(db, events, q, q.index + 1, now, who.user.id, now);
  });
  if (moved) refresh_schedule(quiz_id);
  return moved;
}

result<event> quizzes::end(principal const& who, group_id g, std::int64_t quiz_id) {
  millis_t now = ctx_.clock.now();
  auto ended = as_runner(ctx_, who, g, quiz_id, [&](store::database& db, store::event_list& events, quiz_row& q) -> result<event> {
    if (q.state == "draft") return make_error(errc::conflict, "this quiz has not started");
    if (q.state == "finished") return make_error(errc::conflict, "this quiz has finished");
    if (q.state == "question") {
      close_question(db, events, q, now, who.user.id);
      auto closed = visible_quiz(db, who.user.id, g, quiz_id);
      if (!closed) return closed.error();
      q = *closed;
    }
    return finish(db, events, q, now, who.user.id);
  });
  if (ended) refresh_schedule(quiz_id);
  return ended;
}

result<quiz_answer_ack> quizzes::answer(user const& who, std::int64_t quiz_id, int index, std::vector<int> choice) {
  if (choice.empty() || choice.size() > 6) return make_error(errc::bad_request, "choose 1–6 options");
  std::set<int> chosen(choice.begin(), choice.end());
  if (chosen.size() != choice.size()) return make_error(errc::bad_request, "each option at most once");
  millis_t now = ctx_.clock.now();  // judged on the server's clock, as the answer arrives
  auto ack = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<quiz_answer_ack> {
    auto q = load_quiz(db, quiz_id);
    if (!q || q->state == "draft") return make_error(errc::not_found, "no such quiz");
    if (auto r = require_member(db, q->group, who.id); !r) return make_error(errc::not_found, "no such quiz");
    if (q->host == who.id) return make_error(errc::forbidden, "the host knows the answers and does not play");
    if (q->state != "question" || index != q->index || now >= q->deadline.value_or(0))
      return make_error(errc::conflict, "too late: this question has closed");
    auto& joined = db.prepare("SELECT joined_at FROM memberships WHERE group_id = ?1 AND user_id = ?2").bind(1, raw(q->group)).bind(2, raw(who.id));
    millis_t joined_at = joined.step() ? joined.int64(0) : 0;
    joined.reset();
    if (joined_at > q->opened_at.value_or(0))
      return make_error(errc::conflict, "this question went out before you joined; you play from the next one");
    auto question = load_question(db, q->id, index);
    if (*chosen.rbegin() >= static_cast<int>(question.options.size()) || *chosen.begin() < 0)
      return make_error(errc::bad_request, "no such option");
    std::vector<int> sorted(chosen.begin(), chosen.end());
    millis_t allowed = question.seconds * 1000LL;
    millis_t remaining = *q->deadline - now;
    int score = quiz_score(sorted == question.correct, remaining, allowed);
    db.prepare("INSERT OR IGNORE INTO quiz_answers (quiz_id, idx, user_id, choice, answered_at, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, q->id).bind(2, index).bind(3, raw(who.id)).bind(4, nlohmann::json(sorted).dump()).bind(5, now).bind(6, score)
        .exec();
    if (db.changes() == 0) return make_error(errc::conflict, "you have already answered this question; answers are final");
    db.prepare("UPDATE quizzes SET active_at = ?2 WHERE id = ?1").bind(1, q->id).bind(2, now).exec();
    return quiz_answer_ack{q->id, index, sorted, now, remaining};
  });
  if (ack) {
    std::lock_guard lock(mutex_);
    if (auto it = running_.find(quiz_id); it != running_.end()) it->second.active_at = std::max(it->second.active_at, now);
  }
  return ack;
}

void quizzes::tick() {
  millis_t now = ctx_.clock.now();
  struct due {
    std::int64_t id;
    bool host_gone;
  };
  std::vector<due> work;
  {
    std::lock_guard lock(mutex_);
    for (auto const& [id, r] : running_) {
      if (r.question_open) {
        if (now >= r.deadline) work.push_back({id, false});
        continue;
      }
      if (now >= r.active_at + timing_.idle_end_ms) {
        work.push_back({id, false});
      } else if (now >= r.closed_at + timing_.host_gone_pause_ms) {
        // is_online is a lookup in the live hub, no store work; asked only once the pause is over.
        if (!host_present(r.host)) work.push_back({id, true});
      }
    }
  }
  for (auto const& w : work) {
    auto done = ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<void> {
      advance(db, events, w.id, now, w.host_gone);
      return {};
    });
    if (!done) spdlog::warn("quiz {}: the clock could not move it on: {}", w.id, done.error().message);
    refresh_schedule(w.id);
  }
}

void quizzes::advance(store::database& db, store::event_list& events, std::int64_t quiz_id, millis_t now, bool host_gone) {
  auto q = load_quiz(db, quiz_id);
  if (!q) return;
  if (q->state == "question") {
    if (now >= q->deadline.value_or(0)) close_question(db, events, *q, now, std::nullopt);
    return;
  }
  if (q->state != "results") return;
  millis_t active = q->active_at.value_or(q->started_at.value_or(now));
  if (now >= active + timing_.idle_end_ms) {
    finish(db, events, *q, now, std::nullopt);
  } else if (host_gone && now >= q->closed_at.value_or(now) + timing_.host_gone_pause_ms) {
    // Moving on by itself is not activity: a quiz nobody plays still ends after the idle time.
    if (q->index + 1 >= q->questions)
      finish(db, events, *q, now, std::nullopt);
    else
      open_question(db, events, *q, q->index + 1, now, std::nullopt, std::nullopt);
  }
}

}  // namespace peerchat::service
