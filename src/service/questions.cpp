// SPDX-License-Identifier: MIT
// Questions and answers: a question is a message with a row in `questions`; its answers are
// its replies, counted and timed from the messages table (migration 0007 says why).
#include "peerchat/service/questions.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/user_admin.hpp"
#include <algorithm>
#include <charconv>

namespace peerchat::service {

namespace {
// The first live reply by someone other than the asker, and how many such replies there are.
constexpr char first_answer_expr[] =
    "(SELECT min(r.created_at) FROM messages r WHERE r.group_id = q.group_id AND r.reply_to = q.seq "
    "AND r.deleted = 0 AND r.sender_id <> q.asker_id)";
constexpr char answers_expr[] =
    "(SELECT count(*) FROM messages r WHERE r.group_id = q.group_id AND r.reply_to = q.seq "
    "AND r.deleted = 0 AND r.sender_id <> q.asker_id)";

std::string const list_columns = std::string(
    "SELECT q.seq, m.sender_id, u.display_name, u.deleted_at IS NOT NULL, m.body, m.created_at, q.state, "
    "q.accepted_seq, a.sender_id, au.display_name, au.deleted_at IS NOT NULL, a.body, ") +
    answers_expr + ", " + first_answer_expr + " - m.created_at "
    "FROM questions q JOIN messages m ON m.group_id = q.group_id AND m.seq = q.seq "
    "JOIN users u ON u.id = m.sender_id "
    "LEFT JOIN messages a ON a.group_id = q.group_id AND a.seq = q.accepted_seq "
    "LEFT JOIN users au ON au.id = a.sender_id ";
std::string const open_sql = list_columns + "WHERE q.group_id = ?1 AND q.state = 'open' AND q.seq > ?2 ORDER BY q.seq LIMIT ?3";
std::string const answered_sql =
    list_columns + "WHERE q.group_id = ?1 AND q.state = 'answered' AND q.seq < ?2 ORDER BY q.seq DESC LIMIT ?3";
std::string const median_sql = std::string("SELECT d FROM (SELECT ") + first_answer_expr +
    " - q.asked_at AS d FROM questions q WHERE q.group_id = ?1 AND q.asked_at >= ?2) WHERE d IS NOT NULL ORDER BY d";

constexpr char question_row_sql[] = "SELECT asker_id, state, accepted_seq FROM questions WHERE group_id = ?1 AND seq = ?2";
constexpr char message_row_sql[] = "SELECT sender_id, deleted, reply_to, created_at FROM messages WHERE group_id = ?1 AND seq = ?2";
// The library shows a question's accepted answer: it follows accepts and reopens.
constexpr char library_answer_sql[] =
    "UPDATE library_entries SET answer_seq = ?3, answer_body = (SELECT body FROM messages WHERE group_id = ?1 AND seq = ?3) "
    "WHERE group_id = ?1 AND target_seq = ?2";

struct question_row {
  user_id asker;
  bool answered;
  std::optional<seq_t> accepted;
};

std::optional<question_row> find_question(store::database& db, group_id g, seq_t seq) {
  auto& st = db.prepare(question_row_sql).bind(1, raw(g)).bind(2, seq);
  if (!st.step()) return std::nullopt;
  question_row q{user_id{st.int64(0)}, st.text_view(1) == "answered", std::nullopt};
  if (!st.is_null(2)) q.accepted = st.int64(2);
  st.reset();
  return q;
}

struct message_row {
  user_id sender;
  bool deleted;
  std::optional<seq_t> reply_to;
  millis_t created_at;
};

std::optional<message_row> find_message(store::database& db, group_id g, seq_t seq) {
  auto& st = db.prepare(message_row_sql).bind(1, raw(g)).bind(2, seq);
  if (!st.step()) return std::nullopt;
  message_row m{user_id{st.int64(0)}, st.int64(1) != 0, std::nullopt, st.int64(3)};
  if (!st.is_null(2)) m.reply_to = st.int64(2);
  st.reset();
  return m;
}

// The question the caller may settle (accept or reopen): asker, owner or admin.
result<question_row> settleable(store::database& db, group_id g, seq_t seq, user_id who) {
  auto mine = require_member(db, g, who);
  if (!mine) return mine.error();
  auto q = find_question(db, g, seq);
  if (!q) return make_error(errc::not_found, "no such question");
  if (q->asker != who && !can_manage(*mine))
    return make_error(errc::forbidden, "only the asker or the group's owners and admins may do this");
  return *q;
}

question_view read_question(store::statement& st) {
  question_view q;
  q.seq = st.int64(0);
  q.sender = read_person(st, 1);
  q.body = st.is_null(4) ? std::string() : st.text(4);
  q.ts = st.int64(5);
  q.answered = st.text_view(6) == "answered";
  if (!st.is_null(7) && !st.is_null(8)) {
    quoted_message a;
    a.seq = st.int64(7);
    a.sender = read_person(st, 8);
    if (!st.is_null(11)) a.body = st.text(11);
    q.accepted = std::move(a);
  }
  q.answers = st.int64(12);
  if (!st.is_null(13)) q.first_answer_after_ms = st.int64(13);
  return q;
}

std::optional<seq_t> parse_cursor(std::string const& s) {
  seq_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}
}  // namespace

void record_question(store::database& db, group_id g, seq_t seq, user_id asker, millis_t asked_at) {
  db.prepare("INSERT INTO questions (group_id, seq, asker_id, asked_at) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, raw(g)).bind(2, seq).bind(3, raw(asker)).bind(4, asked_at).exec();
}

std::map<seq_t, message_question> questions_in_range(store::database& db, group_id g, seq_t low, seq_t high) {
  std::map<seq_t, message_question> out;
  auto& st = db.prepare("SELECT seq, state, accepted_seq FROM questions WHERE group_id = ?1 AND seq BETWEEN ?2 AND ?3")
                 .bind(1, raw(g)).bind(2, low).bind(3, high);
  while (st.step()) {
    message_question q{st.text_view(1) == "answered", std::nullopt};
    if (!st.is_null(2)) q.accepted_seq = st.int64(2);
    out.emplace(st.int64(0), q);
  }
  return out;
}

person_ref read_person(store::statement& st, int first) {
  bool deleted = st.int64(first + 2) != 0;
  return person_ref{user_id{st.int64(first)}, deleted ? deleted_display_name : st.text(first + 1), deleted};
}

std::int64_t open_question_count(store::database& db, group_id g) {
  auto& st = db.prepare("SELECT count(*) FROM questions WHERE group_id = ?1 AND state = 'open'").bind(1, raw(g));
  st.step();
  auto n = st.int64(0);
  st.reset();
  return n;
}

std::optional<millis_t> median_first_answer_ms(store::database& db, group_id g, millis_t since) {
  std::vector<millis_t> times;
  auto& st = db.prepare(median_sql).bind(1, raw(g)).bind(2, since);
  while (st.step()) times.push_back(st.int64(0));
  if (times.empty()) return std::nullopt;
  auto n = times.size();
  // Already sorted by the query; an even count takes the mean of the middle two.
  return n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
}

questions::questions(context& ctx)
    : ctx_(ctx),
      change_limit_(ctx.clock, ctx.config.limits.edit_per_minute / 60.0, ctx.config.limits.edit_burst,
                    ctx.config.limits.limiter_keys) {}

result<event> questions::ask(user const& who, group_id g, seq_t seq) {
  if (seq <= 0) return make_error(errc::bad_request, "seq must be a message of this group");
  if (auto r = change_limit_.spend(std::to_string(raw(who.id)), "you are changing questions too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    auto m = find_message(db, g, seq);
    if (!m || m->deleted) return make_error(errc::bad_request, "seq must be a message of this group");
    if (m->sender != who.id) return make_error(errc::forbidden, "only its author may ask a message as a question");
    if (find_question(db, g, seq)) return make_error(errc::conflict, "that message is already a question");
    record_question(db, g, seq, who.id, m->created_at);
    return append_event(db, events, {g, event_kind::question_asked, now, who.id, seq, user_id{},
                                     {{"target_seq", seq}, {"user_id", raw(who.id)}}});
  });
}

result<event> questions::accept(user const& who, group_id g, seq_t question, seq_t answer) {
  if (auto r = change_limit_.spend(std::to_string(raw(who.id)), "you are changing questions too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    auto q = settleable(db, g, question, who.id);
    if (!q) return q.error();
    auto a = find_message(db, g, answer);
    if (!a || a->deleted || a->reply_to != question)
      return make_error(errc::bad_request, "answer_seq must be a reply to the question");
    if (q->answered && q->accepted == answer) return make_error(errc::conflict, "that answer is already accepted");
    db.prepare("UPDATE questions SET state = 'answered', accepted_seq = ?3 WHERE group_id = ?1 AND seq = ?2")
        .bind(1, raw(g)).bind(2, question).bind(3, answer).exec();
    db.prepare(library_answer_sql).bind(1, raw(g)).bind(2, question).bind(3, answer).exec();
    return append_event(db, events, {g, event_kind::question_answered, now, who.id, question, user_id{},
                                     {{"target_seq", question}, {"answer_seq", answer}, {"user_id", raw(who.id)}}});
  });
}

result<event> questions::reopen(user const& who, group_id g, seq_t question) {
  if (auto r = change_limit_.spend(std::to_string(raw(who.id)), "you are changing questions too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    auto q = settleable(db, g, question, who.id);
    if (!q) return q.error();
    if (!q->answered) return make_error(errc::conflict, "the question is already open");
    db.prepare("UPDATE questions SET state = 'open', accepted_seq = NULL WHERE group_id = ?1 AND seq = ?2")
        .bind(1, raw(g)).bind(2, question).exec();
    db.prepare(library_answer_sql).bind(1, raw(g)).bind(2, question).bind(3, std::nullopt).exec();
    return append_event(db, events, {g, event_kind::question_reopened, now, who.id, question, user_id{},
                                     {{"target_seq", question}, {"user_id", raw(who.id)}}});
  });
}

result<questions_page> questions::list(user const& who, group_id g, bool answered, std::optional<std::string> const& cursor,
                                       int limit) {
  if (limit < 1 || limit > 200) return make_error(errc::bad_request, "limit must be 1–200");
  std::optional<seq_t> after;
  if (cursor && !cursor->empty()) {
    after = parse_cursor(*cursor);
    if (!after) return make_error(errc::bad_request, "cursor must come from a previous page's next_cursor");
  }
  return ctx_.reader.with([&](store::database& db) -> result<questions_page> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    questions_page page;
    // One row more than asked tells whether another page follows.
    auto& st = db.prepare(answered ? answered_sql : open_sql)
                   .bind(1, raw(g))
                   .bind(2, after.value_or(answered ? INT64_MAX : 0))
                   .bind(3, limit + 1);
    while (st.step()) page.questions.push_back(read_question(st));
    if (static_cast<int>(page.questions.size()) > limit) {
      page.questions.pop_back();
      page.next_cursor = std::to_string(page.questions.back().seq);
    }
    return page;
  });
}

}  // namespace peerchat::service
