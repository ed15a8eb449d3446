// SPDX-License-Identifier: MIT
// Polls: votes and counts in their tables, each visible change an event in the group's log.
#include "peerchat/service/polls.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/validation.hpp"
#include <algorithm>
#include <climits>
#include <set>

namespace peerchat::service {

namespace {
using ojson = nlohmann::ordered_json;

constexpr char poll_columns[] =
    "SELECT p.id, p.group_id, p.seq, p.author_id, "
    "  CASE WHEN u.deleted_at IS NULL THEN u.display_name ELSE 'Deleted user' END, p.question, p.multiple, p.anonymous, "
    "  p.closes_at, p.created_at, p.closed_at, p.closed_by, p.voters, p.shown_voters, p.next_publish_at "
    "FROM polls p JOIN users u ON u.id = p.author_id ";
constexpr char insert_poll_sql[] =
    "INSERT INTO polls (group_id, seq, author_id, question, multiple, anonymous, closes_at, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr char insert_option_sql[] = "INSERT INTO poll_options (poll_id, idx, text) VALUES (?1, ?2, ?3)";
constexpr char options_sql[] = "SELECT text, votes, shown FROM poll_options WHERE poll_id = ?1 ORDER BY idx";
constexpr char voter_sql[] = "SELECT options FROM poll_voters WHERE poll_id = ?1 AND user_id = ?2";
constexpr char ballots_sql[] = "SELECT user_id, options FROM poll_voters WHERE poll_id = ?1 ORDER BY user_id";
constexpr char count_vote_sql[] =
    "UPDATE poll_options SET votes = votes + ?3, shown = shown + ?4 WHERE poll_id = ?1 AND idx = ?2";
// Everything due on the clock: the earliest closing time of an open poll, the earliest
// publication of anonymous counts.
constexpr char next_due_sql[] =
    "SELECT min(t) FROM (SELECT min(closes_at) AS t FROM polls WHERE closed_at IS NULL AND closes_at IS NOT NULL "
    "UNION ALL SELECT min(next_publish_at) FROM polls WHERE next_publish_at IS NOT NULL)";
constexpr char due_closing_sql[] =
    "SELECT id, group_id FROM polls WHERE closed_at IS NULL AND closes_at IS NOT NULL AND closes_at <= ?1 "
    "ORDER BY closes_at LIMIT 100";
constexpr char due_publishing_sql[] =
    "SELECT id, group_id FROM polls WHERE next_publish_at IS NOT NULL AND next_publish_at <= ?1 "
    "ORDER BY next_publish_at LIMIT 100";

// A JSON answer as a result (a json converts to too many things for the implicit constructor).
result<ojson> answer(ojson j) { return result<ojson>(boost::system::in_place_value, std::move(j)); }

struct poll_row {
  std::int64_t id = 0;
  group_id group{};
  seq_t seq = 0;
  user_id author{};
  std::string author_name;
  std::string question;
  bool multiple = false;
  bool anonymous = false;
  std::optional<millis_t> closes_at;
  millis_t created_at = 0;
  std::optional<millis_t> closed_at;
  std::optional<std::int64_t> closed_by;
  std::int64_t voters = 0;
  std::int64_t shown_voters = 0;
  std::optional<millis_t> next_publish_at;
};

std::optional<std::int64_t> opt_int(store::statement& st, int col) {
  if (st.is_null(col)) return std::nullopt;
  return st.int64(col);
}

poll_row read_poll(store::statement& st) {
  poll_row p;
  p.id = st.int64(0);
  p.group = group_id{st.int64(1)};
  p.seq = st.int64(2);
  p.author = user_id{st.int64(3)};
  p.author_name = st.text(4);
  p.question = st.text(5);
  p.multiple = st.int64(6) != 0;
  p.anonymous = st.int64(7) != 0;
  p.closes_at = opt_int(st, 8);
  p.created_at = st.int64(9);
  p.closed_at = opt_int(st, 10);
  p.closed_by = opt_int(st, 11);
  p.voters = st.int64(12);
  p.shown_voters = st.int64(13);
  p.next_publish_at = opt_int(st, 14);
  return p;
}

// The poll `id` of group g; a poll of another group is not found, like a missing one.
result<poll_row> find_poll(store::database& db, group_id g, std::int64_t id) {
  auto& st = db.prepare(std::string(poll_columns) + "WHERE p.id = ?1 AND p.group_id = ?2").bind(1, id).bind(2, raw(g));
  if (!st.step()) return make_error(errc::not_found, "no such poll");
  auto p = read_poll(st);
  st.reset();
  return p;
}

poll_row load_poll(store::database& db, std::int64_t id) {
  auto& st = db.prepare(std::string(poll_columns) + "WHERE p.id = ?1").bind(1, id);
  if (!st.step()) throw std::logic_error("poll vanished");
  auto p = read_poll(st);
  st.reset();
  return p;
}

struct option_row {
  std::string text;
  std::int64_t votes = 0;
  std::int64_t shown = 0;
};

std::vector<option_row> options_of(store::database& db, std::int64_t poll) {
  std::vector<option_row> out;
  auto& st = db.prepare(options_sql).bind(1, poll);
  while (st.step()) out.push_back({st.text(0), st.int64(1), st.int64(2)});
  return out;
}

ojson counts_json(std::vector<option_row> const& options, bool shown) {
  auto a = ojson::array();
  for (auto const& o : options) a.push_back(shown ? o.shown : o.votes);
  return a;
}

// A stored choice ("[0,2]") back as a JSON array.
ojson choice_json(std::string const& stored) {
  auto j = ojson::parse(stored, nullptr, false);
  return j.is_array() ? j : ojson::array();
}

bool open_at(poll_row const& p, millis_t now) { return !p.closed_at && (!p.closes_at || *p.closes_at > now); }

// The poll as GET shows it to `viewer`: published counts only (equal to the live ones unless
// anonymous counts wait for their window), the viewer's own vote, and for a poll that is not
// anonymous who chose what.
ojson poll_json(store::database& db, poll_row const& p, user_id viewer) {
  auto options = options_of(db, p.id);
  auto texts = ojson::array();
  for (auto const& o : options) texts.push_back(o.text);
  ojson j{{"id", p.id},
          {"seq", p.seq},
          {"ts", p.created_at},
          {"question", p.question},
          {"options", std::move(texts)},
          {"multiple", p.multiple},
          {"anonymous", p.anonymous},
          {"closes_at", p.closes_at ? ojson(*p.closes_at) : ojson(nullptr)},
          {"created_by", {{"user_id", raw(p.author)}, {"display_name", p.author_name}}},
          {"closed", p.closed_at.has_value()},
          {"closed_at", p.closed_at ? ojson(*p.closed_at) : ojson(nullptr)},
          {"counts", counts_json(options, true)},
          {"voters", p.shown_voters}};
  auto& mine = db.prepare(voter_sql).bind(1, p.id).bind(2, raw(viewer));
  ojson my_vote{{"voted", false}};
  if (mine.step()) {
    my_vote["voted"] = true;
    if (!mine.is_null(0)) my_vote["options"] = choice_json(mine.text(0));
    mine.reset();
  }
  j["my_vote"] = std::move(my_vote);
  if (!p.anonymous) {
    auto ballots = ojson::array();
    auto& st = db.prepare(ballots_sql).bind(1, p.id);
    while (st.step()) ballots.push_back({{"user_id", st.int64(0)}, {"options", choice_json(st.is_null(1) ? "[]" : st.text(1))}});
    j["votes"] = std::move(ballots);
  }
  return j;
}

// Publishes an anonymous poll's pending counts: one `poll_voted` without any user.
void publish_counts(store::database& db, store::event_list& events, poll_row const& p, millis_t now) {
  db.prepare("UPDATE poll_options SET shown = votes WHERE poll_id = ?1").bind(1, p.id).exec();
  db.prepare("UPDATE polls SET shown_voters = voters, next_publish_at = NULL WHERE id = ?1").bind(1, p.id).exec();
  auto options = options_of(db, p.id);
  append_event(db, events, {p.group, event_kind::poll_voted, now, std::nullopt, p.seq, user_id{},
                            {{"poll_id", p.id}, {"counts", counts_json(options, false)}, {"voters", p.voters}}});
}

// Closes a poll with its final counts; `by` is empty when the clock closed it.
event close_poll(store::database& db, store::event_list& events, poll_row const& p, std::optional<user_id> by,
                 millis_t now) {
  millis_t closed_at = by ? now : std::min(now, p.closes_at.value_or(now));
  std::optional<std::int64_t> closer;
  if (by) closer = raw(*by);
  db.prepare("UPDATE poll_options SET shown = votes WHERE poll_id = ?1").bind(1, p.id).exec();
  db.prepare("UPDATE polls SET closed_at = ?2, closed_by = ?3, shown_voters = voters, next_publish_at = NULL WHERE id = ?1")
      .bind(1, p.id).bind(2, closed_at).bind(3, closer).exec();
  auto options = options_of(db, p.id);
  ojson body{{"poll_id", p.id}, {"counts", counts_json(options, false)}, {"voters", p.voters}};
  if (by) body["user_id"] = raw(*by);
  return append_event(db, events, {p.group, event_kind::poll_closed, now, by, p.seq, user_id{}, std::move(body)});
}

millis_t next_due_in(store::database& db) {
  auto& st = db.prepare(next_due_sql);
  st.step();
  millis_t due = st.is_null(0) ? LLONG_MAX : st.int64(0);
  st.reset();
  return due;
}

// The end of the window (aligned to the poll's creation) that `now` falls in: the counts of
// every vote cast in it are published together then.
millis_t window_end(millis_t created_at, millis_t now) {
  millis_t elapsed = std::max<millis_t>(0, now - created_at);
  return created_at + (elapsed / polls::coalesce_ms + 1) * polls::coalesce_ms;
}
}  // namespace

polls::polls(context& ctx)
    : ctx_(ctx),
      next_due_(ctx.reader.with([](store::database& db) { return next_due_in(db); })),
      create_limit_(ctx.clock, 1.0 / 60, 5, ctx.config.limits.limiter_keys),
      vote_limit_(ctx.clock, 1.0, 20, ctx.config.limits.limiter_keys) {}

result<event> polls::create(principal const& who, group_id g, poll_request req) {
  auto question = check_body(req.question, max_question_chars);
  if (!question) return make_error(errc::bad_request, "question must be 1–" + std::to_string(max_question_chars) + " characters of text");
  if (req.options.size() < min_options || req.options.size() > max_options)
    return make_error(errc::bad_request, "a poll has 2–10 options");
  std::vector<std::string> options;
  std::set<std::string> seen;
  for (auto const& o : req.options) {
    auto text = check_body(o, max_option_chars);
    if (!text) return make_error(errc::bad_request, "each option must be 1–" + std::to_string(max_option_chars) + " characters of text");
    if (!seen.insert(*text).second) return make_error(errc::bad_request, "options must differ from each other");
    options.push_back(std::move(*text));
  }
  millis_t now = ctx_.clock.now();
  if (req.closes_at && (*req.closes_at <= now || *req.closes_at > now + max_open_ms))
    return make_error(errc::bad_request, "closes_at must be in the future, at most a year ahead");
  if (auto r = create_limit_.spend(std::to_string(raw(who.user.id)), "you are creating polls too fast"); !r) return r.error();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    auto& next = db.prepare("SELECT last_seq + 1 FROM groups WHERE id = ?1").bind(1, raw(g));
    next.step();
    seq_t seq = next.int64(0);
    next.reset();
    db.prepare(insert_poll_sql)
        .bind(1, raw(g)).bind(2, seq).bind(3, raw(who.user.id)).bind(4, *question)
        .bind(5, req.multiple ? 1 : 0).bind(6, req.anonymous ? 1 : 0).bind(7, req.closes_at).bind(8, now)
        .exec();
    std::int64_t id = db.last_insert_rowid();
    for (std::size_t i = 0; i < options.size(); ++i)
      db.prepare(insert_option_sql).bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, options[i]).exec();
    ojson body{{"poll_id", id},
               {"question", *question},
               {"options", options},
               {"multiple", req.multiple},
               {"anonymous", req.anonymous},
               {"closes_at", req.closes_at ? ojson(*req.closes_at) : ojson(nullptr)},
               {"user_id", raw(who.user.id)}};
    auto e = append_event(db, events, {g, event_kind::poll, now, who.user.id, std::nullopt, user_id{}, std::move(body)});
    if (e.seq != seq) throw std::logic_error("poll seq and event seq disagree");
    if (req.closes_at && *req.closes_at < next_due_.load()) next_due_.store(*req.closes_at);
    return e;
  });
}

result<nlohmann::ordered_json> polls::vote(principal const& who, group_id g, std::int64_t poll,
                                           std::vector<std::int64_t> choice) {
  std::sort(choice.begin(), choice.end());
  if (std::adjacent_find(choice.begin(), choice.end()) != choice.end())
    return make_error(errc::bad_request, "options must not repeat");
  if (choice.size() > max_options) return make_error(errc::bad_request, "options names at most 10 options");
  if (auto r = vote_limit_.spend(std::to_string(raw(who.user.id)), "you are voting too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<ojson> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    auto p = find_poll(db, g, poll);
    if (!p) return p.error();
    if (!open_at(*p, now)) return make_error(errc::conflict, "this poll is closed");
    auto options = options_of(db, p->id);
    for (auto i : choice)
      if (i < 0 || i >= static_cast<std::int64_t>(options.size()))
        return make_error(errc::bad_request, "options must be indexes of the poll's options");
    if (choice.empty() && p->anonymous) return make_error(errc::bad_request, "choose at least one option");
    if (!p->multiple && choice.size() > 1) return make_error(errc::bad_request, "this poll takes one option");

    auto& mine = db.prepare(voter_sql).bind(1, p->id).bind(2, raw(who.user.id));
    bool voted = mine.step();
    std::string previous = voted && !mine.is_null(0) ? mine.text(0) : "[]";
    mine.reset();

    if (p->anonymous) {
      if (voted) return make_error(errc::conflict, "votes in an anonymous poll are final");
      // Counts and the name on the list of voters, nothing that links the two (see the header).
      db.prepare("INSERT INTO poll_voters (poll_id, user_id, options) VALUES (?1, ?2, NULL)").bind(1, p->id).bind(2, raw(who.user.id)).exec();
      for (auto i : choice) db.prepare(count_vote_sql).bind(1, p->id).bind(2, i).bind(3, 1).bind(4, 0).exec();
      millis_t publish_at = p->next_publish_at.value_or(window_end(p->created_at, now));
      db.prepare("UPDATE polls SET voters = voters + 1, next_publish_at = ?2 WHERE id = ?1").bind(1, p->id).bind(2, publish_at).exec();
      if (publish_at < next_due_.load()) next_due_.store(publish_at);  // on the writer thread, like tick's update
      return answer(poll_json(db, load_poll(db, p->id), who.user.id));
    }

    auto old_choice = choice_json(previous).get<std::vector<std::int64_t>>();
    if (voted && old_choice == choice) return answer(poll_json(db, *p, who.user.id));  // nothing changes
    if (!voted && choice.empty()) return answer(poll_json(db, *p, who.user.id));
    for (auto i : old_choice) db.prepare(count_vote_sql).bind(1, p->id).bind(2, i).bind(3, -1).bind(4, -1).exec();
    for (auto i : choice) db.prepare(count_vote_sql).bind(1, p->id).bind(2, i).bind(3, 1).bind(4, 1).exec();
    std::int64_t voters_delta = 0;
    if (choice.empty()) {
      db.prepare("DELETE FROM poll_voters WHERE poll_id = ?1 AND user_id = ?2").bind(1, p->id).bind(2, raw(who.user.id)).exec();
      voters_delta = -1;
    } else {
      db.prepare("INSERT INTO poll_voters (poll_id, user_id, options) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT (poll_id, user_id) DO UPDATE SET options = excluded.options")
          .bind(1, p->id).bind(2, raw(who.user.id)).bind(3, ojson(choice).dump()).exec();
      voters_delta = voted ? 0 : 1;
    }
    db.prepare("UPDATE polls SET voters = voters + ?2, shown_voters = shown_voters + ?2 WHERE id = ?1")
        .bind(1, p->id).bind(2, voters_delta).exec();
    auto now_options = options_of(db, p->id);
    append_event(db, events, {g, event_kind::poll_voted, now, who.user.id, p->seq, user_id{},
                              {{"poll_id", p->id},
                               {"counts", counts_json(now_options, false)},
                               {"voters", p->voters + voters_delta},
                               {"user_id", raw(who.user.id)},
                               {"options", choice}}});
    return answer(poll_json(db, load_poll(db, p->id), who.user.id));
  });
}

result<event> polls::close(principal const& who, group_id g, std::int64_t poll) {
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    auto mine = require_member(db, g, who.user.id);
    if (!mine) return mine.error();
    auto p = find_poll(db, g, poll);
    if (!p) return p.error();
    if (p->author != who.user.id && !can_manage(*mine))
      return make_error(errc::forbidden, "only the poll's author or the group's owners and admins may close it");
    if (p->closed_at) return make_error(errc::conflict, "this poll is already closed");
    return close_poll(db, events, *p, who.user.id, now);
  });
}

result<nlohmann::ordered_json> polls::get(principal const& who, group_id g, std::int64_t poll) {
  return ctx_.reader.with([&](store::database& db) -> result<ojson> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    auto p = find_poll(db, g, poll);
    if (!p) return p.error();
    return answer(poll_json(db, *p, who.user.id));
  });
}

result<nlohmann::ordered_json> polls::list(principal const& who, group_id g, std::optional<bool> open,
                                           std::optional<std::int64_t> before_id, int limit) {
  if (limit < 1 || limit > 100) return make_error(errc::bad_request, "limit must be 1–100");
  return ctx_.reader.with([&](store::database& db) -> result<ojson> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    std::optional<std::int64_t> want_open;
    if (open) want_open = *open ? 1 : 0;
    auto& st = db.prepare(std::string(poll_columns) +
                          "WHERE p.group_id = ?1 AND p.id < ?2 AND (?3 IS NULL OR (p.closed_at IS NULL) = ?3) "
                          "ORDER BY p.id DESC LIMIT ?4")
                   .bind(1, raw(g)).bind(2, before_id.value_or(INT64_MAX)).bind(3, want_open).bind(4, limit + 1);
    std::vector<poll_row> rows;
    while (st.step()) rows.push_back(read_poll(st));
    ojson next_cursor = nullptr;
    if (static_cast<int>(rows.size()) > limit) {
      rows.pop_back();
      next_cursor = std::to_string(rows.back().id);
    }
    auto items = ojson::array();
    for (auto const& p : rows) items.push_back(poll_json(db, p, who.user.id));
    return answer(ojson{{"polls", std::move(items)}, {"next_cursor", std::move(next_cursor)}});
  });
}

void polls::tick() {
  millis_t now = ctx_.clock.now();
  if (now < next_due_.load()) return;
  auto done = ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<void> {
    std::vector<std::int64_t> due;
    auto& closing = db.prepare(due_closing_sql).bind(1, now);
    while (closing.step()) due.push_back(closing.int64(0));
    for (auto id : due) close_poll(db, events, load_poll(db, id), std::nullopt, now);
    due.clear();
    auto& publishing = db.prepare(due_publishing_sql).bind(1, now);
    while (publishing.step()) due.push_back(publishing.int64(0));
    for (auto id : due) publish_counts(db, events, load_poll(db, id), now);
    next_due_.store(next_due_in(db));  // at most 100 of each a tick; more are due again at once
    return {};
  });
  // Nothing was committed (a full queue, a failed commit): try again in a second.
  if (!done) next_due_.store(now + 1000);
}

}  // namespace peerchat::service
