// SPDX-License-Identifier: MIT
// Messages: every change is an event in the group's log, committed before anyone sees it.
#include "peerchat/service/messages.hpp"
#include "peerchat/core/text.hpp"
#include "peerchat/service/attachment_store.hpp"
#include "peerchat/service/blocks.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/mention_store.hpp"
#include "peerchat/service/questions.hpp"
#include "peerchat/service/search_index.hpp"
#include "peerchat/service/validation.hpp"
#include <algorithm>
#include <memory>
#include <tuple>

namespace peerchat::service {

namespace {
constexpr char existing_sql[] =
    "SELECT m.seq, e.ts, e.data FROM messages m JOIN events e ON e.group_id = m.group_id AND e.seq = m.seq "
    "WHERE m.group_id = ?1 AND m.sender_id = ?2 AND m.client_msg_id = ?3";
constexpr char message_row_sql[] = "SELECT sender_id, deleted FROM messages WHERE group_id = ?1 AND seq = ?2";
constexpr char history_sql[] =
    "SELECT m.seq, m.id, m.created_at, m.sender_id, u.display_name, m.body, m.client_msg_id, m.reply_to, "
    "m.edited_at, m.deleted, u.deleted_at IS NOT NULL FROM messages m JOIN users u ON u.id = m.sender_id "
    "WHERE m.group_id = ?1 AND m.seq < ?2 ORDER BY m.seq DESC LIMIT ?3";
constexpr char history_after_sql[] =
    "SELECT m.seq, m.id, m.created_at, m.sender_id, u.display_name, m.body, m.client_msg_id, m.reply_to, "
    "m.edited_at, m.deleted, u.deleted_at IS NOT NULL FROM messages m JOIN users u ON u.id = m.sender_id "
    "WHERE m.group_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT ?3";
constexpr char reactions_sql[] =
    "SELECT message_seq, emoji, user_id FROM reactions WHERE group_id = ?1 AND message_seq BETWEEN ?2 AND ?3 "
    "ORDER BY created_at, user_id";
// Deleting erases the body from the message, from its event and from its edits' events.
constexpr char erase_event_bodies_sql[] =
    "UPDATE events SET data = json_set(json_remove(data, '$.body', '$.mentions', '$.attachments'), '$.deleted', json('true')) "
    "WHERE group_id = ?1 AND (seq = ?2 OR (target_seq = ?2 AND kind = 'message_edited'))";
constexpr char mentions_in_range_sql[] =
    "SELECT seq, user_id FROM mentions WHERE group_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY user_id";
constexpr char search_sql[] =
    "SELECT m.group_id, m.seq, m.created_at, m.sender_id, u.display_name, "
    "  snippet(messages_fts, 0, char(2), char(3), '…', 16), u.deleted_at IS NOT NULL "
    "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
    "JOIN memberships ms ON ms.group_id = m.group_id AND ms.user_id = ?1 "
    "JOIN users u ON u.id = m.sender_id "
    "WHERE messages_fts MATCH ?2 AND (?3 IS NULL OR m.group_id = ?3) ORDER BY rank LIMIT ?4";

struct message_row {
  user_id sender;
  bool deleted;
};

std::optional<message_row> find_message(store::database& db, group_id g, seq_t seq) {
  auto& st = db.prepare(message_row_sql).bind(1, raw(g)).bind(2, seq);
  if (!st.step()) return std::nullopt;
  return message_row{user_id{st.int64(0)}, st.int64(1) != 0};
}

// The live (not deleted) message at seq, or not_found.
result<message_row> live_message(store::database& db, group_id g, seq_t seq) {
  auto m = find_message(db, g, seq);
  if (!m || m->deleted) return make_error(errc::not_found, "no such message");
  return *m;
}

// Erases a live message: its body, its event's and its edits' bodies, its reactions and
// attachments (their now unused files are added to unused_files), then the message_deleted event.
event erase_message(store::database& db, store::event_list& events, group_id g, seq_t seq, user_id actor, millis_t now,
                    std::vector<std::string>& unused_files) {
  db.prepare("UPDATE messages SET body = NULL, deleted = 1 WHERE group_id = ?1 AND seq = ?2").bind(1, raw(g)).bind(2, seq).exec();
  db.prepare(erase_event_bodies_sql).bind(1, raw(g)).bind(2, seq).exec();
  db.prepare("DELETE FROM reactions WHERE group_id = ?1 AND message_seq = ?2").bind(1, raw(g)).bind(2, seq).exec();
  auto detached = detach_message(db, g, seq);
  unused_files.insert(unused_files.end(), detached.begin(), detached.end());
  return append_event(db, events, {g, event_kind::message_deleted, now, actor, seq, user_id{},
                                   {{"target_seq", seq}, {"user_id", raw(actor)}}});
}

// Turns what a person typed into an FTS5 query: each word a quoted prefix, all required.
std::string fts_query(std::string_view q) {
  std::string out;
  std::size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n')) ++i;
    std::size_t start = i;
    while (i < q.size() && q[i] != ' ' && q[i] != '\t' && q[i] != '\n') ++i;
    if (i == start) break;
    std::string word;
    for (char c : q.substr(start, i - start))
      if (c != '"' && static_cast<unsigned char>(c) >= 0x20) word += c;  // FTS5 stops at NUL
    if (word.empty()) continue;
    if (!out.empty()) out += ' ';
    out += '"' + word + "\"*";
  }
  return out;
}
}  // namespace

messages::messages(context& ctx)
    : ctx_(ctx),
      send_limit_(ctx.clock, ctx.config.limits.send_per_second, ctx.config.limits.send_burst, ctx.config.limits.limiter_keys),
      edit_limit_(ctx.clock, ctx.config.limits.edit_per_minute / 60.0, ctx.config.limits.edit_burst,
                  ctx.config.limits.limiter_keys),
      react_limit_(ctx.clock, ctx.config.limits.react_per_minute / 60.0, ctx.config.limits.react_burst,
                   ctx.config.limits.limiter_keys),
      search_limit_(ctx.clock, ctx.config.limits.search_per_minute / 60.0, ctx.config.limits.search_burst,
                    ctx.config.limits.limiter_keys) {
  auto indexer = std::make_shared<deferred_indexer>(ctx.clock);
  ctx_.writer.set_before_commit([indexer](store::database& db) { indexer->before_commit(db); });
}

result<send_request> messages::prepare_send(user const& who, send_request req) {
  if (req.attachments.size() > max_attachments)
    return make_error(errc::bad_request, "a message carries at most " + std::to_string(max_attachments) + " attachments");
  for (auto const& id : req.attachments)
    if (!is_attachment_id(id)) return make_error(errc::bad_request, "attachments must be upload ids");
  // With attachments the text is optional (a photo on its own); without, it is the message.
  bool no_text = !req.attachments.empty() && text::trim(req.body).empty();
  auto body = no_text ? result<std::string>(std::string()) : check_body(req.body, ctx_.config.limits.message_chars);
  if (!body) return body.error();
  auto cmid = check_client_msg_id(req.client_msg_id);
  if (!cmid) return cmid.error();
  if (auto r = send_limit_.spend(std::to_string(raw(who.id)), "you are sending too fast"); !r) return r.error();
  req.body = std::move(*body);
  req.client_msg_id = std::move(*cmid);
  return req;
}

void messages::send_async(user const& who, send_request req, std::function<void(result<send_result>)> done) {
  millis_t now = ctx_.clock.now();
  auto out = std::make_shared<std::optional<result<send_result>>>();
  auto finished = std::make_shared<std::function<void(result<send_result>)>>(std::move(done));
  bool queued = ctx_.writer.post(
      [who, req = std::move(req), now, out](store::database& db, store::event_list& events) {
        auto r = require_sender(db, req.group, who.id);  // membership, and blocks in a direct conversation
        if (!r) {
          *out = r.error();
          return;
        }
        auto& existing = db.prepare(existing_sql).bind(1, raw(req.group)).bind(2, raw(who.id)).bind(3, req.client_msg_id);
        if (existing.step()) {  // a retry: answer with the original, create nothing
          event e{req.group, existing.int64(0), existing.int64(1), event_kind::message, user_id{},
                  std::make_shared<const std::string>(existing.text(2))};
          *out = send_result{std::move(e), false};
          return;
        }
        if (req.reply_to && !find_message(db, req.group, *req.reply_to)) {
          *out = make_error(errc::bad_request, "reply_to is not a message of this group");
          return;
        }
        auto& next = db.prepare("SELECT last_seq + 1 FROM groups WHERE id = ?1").bind(1, raw(req.group));
        next.step();
        seq_t seq = next.int64(0);
        // Attached first: a refused id fails the send before anything is written.
        std::vector<attachment_info> attached;
        if (!req.attachments.empty()) {
          auto a = attach_uploads(db, req.group, seq, who.id, req.attachments);
          if (!a) {
            *out = a.error();
            return;
          }
          attached = std::move(*a);
        }
        db.prepare("INSERT INTO messages (group_id, seq, sender_id, client_msg_id, body, reply_to, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .bind(1, raw(req.group))
            .bind(2, seq)
            .bind(3, raw(who.id))
            .bind(4, req.client_msg_id)
            .bind(5, req.body)
            .bind(6, req.reply_to)
            .bind(7, now)
            .exec();
        auto message_row_id = db.last_insert_rowid();
        auto mentioned = store_mentions(db, req.group, seq, who.id, req.body, now, false);
        nlohmann::ordered_json body{{"id", message_row_id},
                                    {"sender", {{"user_id", raw(who.id)}, {"display_name", who.display_name}}},
                                    {"body", req.body},
                                    {"client_msg_id", req.client_msg_id}};
        if (req.reply_to) body["reply_to"] = *req.reply_to;
        body["mentions"] = std::move(mentioned);
        if (!attached.empty()) {
          auto list = nlohmann::ordered_json::array();
          for (auto const& a : attached) list.push_back(attachment_json(a));
          body["attachments"] = std::move(list);
        }
        if (req.question) {  // the only extra statement, and only for a question
          record_question(db, req.group, seq, who.id, now);
          body["question"] = {{"state", "open"}};
        }
        auto e = append_event(db, events, {req.group, event_kind::message, now, who.id, std::nullopt, user_id{}, std::move(body)});
        if (e.seq != seq) throw std::logic_error("message seq and event seq disagree");
        *out = send_result{std::move(e), true};
      },
      [out, finished](bool committed) {
        if (!committed || !out->has_value())
          (*finished)(make_error(errc::internal, "the message could not be stored; retry with the same client_msg_id"));
        else
          (*finished)(std::move(**out));
      });
  if (!queued) (*finished)(store::busy_error());  // the writer's queue is full: nothing was stored
}

result<send_result> messages::send(user const& who, send_request req) {
  auto prepared = prepare_send(who, std::move(req));
  if (!prepared) return prepared.error();
  std::promise<result<send_result>> promise;
  auto future = promise.get_future();
  send_async(who, std::move(*prepared), [&promise](result<send_result> r) { promise.set_value(std::move(r)); });
  return future.get();
}

result<event> messages::edit(user const& who, group_id g, seq_t seq, std::string_view text) {
  auto body = check_body(text, ctx_.config.limits.message_chars);
  if (!body) return body.error();
  if (auto r = edit_limit_.spend(std::to_string(raw(who.id)), "you are editing too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    auto m = live_message(db, g, seq);
    if (!m) return m.error();
    if (m->sender != who.id) return make_error(errc::forbidden, "only the author may edit a message");
    db.prepare("UPDATE messages SET body = ?3, edited_at = ?4 WHERE group_id = ?1 AND seq = ?2")
        .bind(1, raw(g)).bind(2, seq).bind(3, *body).bind(4, now).exec();
    // An edit recomputes the mentions (docs/api.md): the event carries the new list, and
    // GET /mentions follows; the push dispatcher sends nothing for an edit.
    auto& created = db.prepare("SELECT created_at FROM messages WHERE group_id = ?1 AND seq = ?2").bind(1, raw(g)).bind(2, seq);
    created.step();
    millis_t sent_at = created.int64(0);
    created.reset();
    auto mentioned = store_mentions(db, g, seq, who.id, *body, sent_at, true);
    return append_event(db, events, {g, event_kind::message_edited, now, who.id, seq, user_id{},
                                     {{"target_seq", seq}, {"body", *body}, {"user_id", raw(who.id)},
                                      {"mentions", std::move(mentioned)}}});
  });
}

result<event> messages::remove(user const& who, group_id g, seq_t seq) {
  // Deleting shares the edit budget: both change messages already sent.
  if (auto r = edit_limit_.spend(std::to_string(raw(who.id)), "you are deleting too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  std::vector<std::string> unused_files;
  auto deleted = ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    auto mine = require_member(db, g, who.id);
    if (!mine) return mine.error();
    auto m = live_message(db, g, seq);
    if (!m) return m.error();
    if (m->sender != who.id && !can_manage(*mine))
      return make_error(errc::forbidden, "only the author or the group's owners and admins may delete a message");
    return erase_message(db, events, g, seq, who.id, now, unused_files);
  });
  // After the commit, before the answer: when DELETE answers, the files are gone from disk.
  if (deleted && !unused_files.empty() && erase_files_) erase_files_(unused_files);
  return deleted;
}

result<std::size_t> messages::erase_all_by(user_id sender, user_id actor, int batch) {
  std::size_t erased = 0;
  std::int64_t after = 0;  // messages.id cursor: each batch walks on from where the last stopped
  for (;;) {
    std::vector<std::string> unused_files;
    millis_t now = ctx_.clock.now();
    auto done = ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<bool> {
      std::vector<std::tuple<std::int64_t, group_id, seq_t>> found;
      auto& st = db.prepare("SELECT id, group_id, seq FROM messages WHERE sender_id = ?1 AND deleted = 0 AND id > ?2 "
                            "ORDER BY id LIMIT ?3")
                     .bind(1, raw(sender)).bind(2, after).bind(3, batch);
      while (st.step()) found.emplace_back(st.int64(0), group_id{st.int64(1)}, st.int64(2));
      st.reset();
      for (auto const& [id, g, seq] : found) {
        erase_message(db, events, g, seq, actor, now, unused_files);
        after = id;
        ++erased;
      }
      return static_cast<int>(found.size()) < batch;
    });
    if (!done) return done.error();
    if (!unused_files.empty() && erase_files_) erase_files_(unused_files);
    if (*done) return erased;
  }
}

result<std::optional<event>> messages::react(user const& who, group_id g, seq_t seq, std::string_view emoji, bool add) {
  auto e = check_emoji(emoji);
  if (!e) return e.error();
  if (auto r = react_limit_.spend(std::to_string(raw(who.id)), "you are reacting too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<std::optional<event>> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    if (auto m = live_message(db, g, seq); !m) return m.error();
    if (add)
      db.prepare("INSERT OR IGNORE INTO reactions (group_id, message_seq, user_id, emoji, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
          .bind(1, raw(g)).bind(2, seq).bind(3, raw(who.id)).bind(4, *e).bind(5, now).exec();
    else
      db.prepare("DELETE FROM reactions WHERE group_id = ?1 AND message_seq = ?2 AND user_id = ?3 AND emoji = ?4")
          .bind(1, raw(g)).bind(2, seq).bind(3, raw(who.id)).bind(4, *e).exec();
    if (db.changes() == 0) return std::optional<event>{};
    return std::optional<event>{append_event(
        db, events, {g, add ? event_kind::reaction_added : event_kind::reaction_removed, now, who.id, seq, user_id{},
                     {{"target_seq", seq}, {"user_id", raw(who.id)}, {"emoji", *e}}})};
  });
}

result<seq_t> messages::mark_read(user const& who, group_id g, seq_t seq) {
  if (seq < 0) return make_error(errc::bad_request, "seq must not be negative");
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<seq_t> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    auto& st = db.prepare(
                     "UPDATE memberships SET last_read_seq = max(last_read_seq, min(?3, "
                     "(SELECT last_seq FROM groups WHERE id = ?1))) WHERE group_id = ?1 AND user_id = ?2 "
                     "RETURNING last_read_seq")
                   .bind(1, raw(g)).bind(2, raw(who.id)).bind(3, seq);
    st.step();
    seq_t now_read = st.int64(0);
    st.exec();
    return now_read;
  });
}

namespace {
message_view read_message_row(store::statement& st) {
  message_view m;
  m.seq = st.int64(0);
  m.id = st.int64(1);
  m.ts = st.int64(2);
  m.sender = user_id{st.int64(3)};
  m.sender_display_name = st.text(4);
  if (!st.is_null(5)) m.body = st.text(5);
  m.client_msg_id = st.text(6);
  if (!st.is_null(7)) m.reply_to = st.int64(7);
  if (!st.is_null(8)) m.edited_at = st.int64(8);
  m.sender_deleted = st.int64(10) != 0;
  return m;
}

// Adds reactions, attachments and mentions to a page of messages (in either order).
void decorate(store::database& db, group_id g, std::vector<message_view>& out) {
  if (out.empty()) return;
  seq_t low = std::min(out.front().seq, out.back().seq);
  seq_t high = std::max(out.front().seq, out.back().seq);
  auto find = [&out](seq_t s) { return std::find_if(out.begin(), out.end(), [s](auto const& m) { return m.seq == s; }); };
  auto& rs = db.prepare(reactions_sql).bind(1, raw(g)).bind(2, low).bind(3, high);
  while (rs.step())
    if (auto it = find(rs.int64(0)); it != out.end()) it->reactions[rs.text(1)].push_back(rs.int64(2));
  for (auto& [s, list] : attachments_in_range(db, g, low, high))
    if (auto it = find(s); it != out.end() && it->body) it->attachments = std::move(list);
  auto& ms = db.prepare(mentions_in_range_sql).bind(1, raw(g)).bind(2, low).bind(3, high);
  while (ms.step())
    if (auto it = find(ms.int64(0)); it != out.end() && it->body) it->mentions.push_back(ms.int64(1));
  for (auto& [s, q] : questions_in_range(db, g, low, high))
    if (auto it = find(s); it != out.end()) it->question = q;
}
}  // namespace

result<std::vector<message_view>> messages::history(user const& who, group_id g, std::optional<seq_t> before, int limit) {
  if (limit < 1 || limit > 200) return make_error(errc::bad_request, "limit must be 1–200");
  return ctx_.reader.with([&](store::database& db) -> result<std::vector<message_view>> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    std::vector<message_view> out;
    auto& st = db.prepare(history_sql).bind(1, raw(g)).bind(2, before.value_or(INT64_MAX)).bind(3, limit);
    while (st.step()) out.push_back(read_message_row(st));
    decorate(db, g, out);
    return out;
  });
}

result<std::vector<message_view>> messages::history_after(user const& who, group_id g, seq_t after, int limit) {
  if (limit < 1 || limit > 200) return make_error(errc::bad_request, "limit must be 1–200");
  return ctx_.reader.with([&](store::database& db) -> result<std::vector<message_view>> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    std::vector<message_view> out;
    auto& st = db.prepare(history_after_sql).bind(1, raw(g)).bind(2, after).bind(3, limit);
    while (st.step()) out.push_back(read_message_row(st));
    decorate(db, g, out);
    return out;
  });
}

result<events_page> messages::events_after(user const& who, group_id g, seq_t after, int limit) {
  if (limit < 1 || limit > 1000) return make_error(errc::bad_request, "limit must be 1–1000");
  return ctx_.reader.with([&](store::database& db) -> result<events_page> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    events_page page;
    auto& last = db.prepare("SELECT last_seq FROM groups WHERE id = ?1").bind(1, raw(g));
    last.step();
    page.last_seq = last.int64(0);
    auto& st = db.prepare("SELECT seq, data FROM events WHERE group_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
                   .bind(1, raw(g)).bind(2, after).bind(3, limit);
    while (st.step()) page.events.push_back(page_event{st.int64(0), st.text(1)});
    return page;
  });
}

result<std::vector<search_hit>> messages::search(user const& who, std::string_view query, std::optional<group_id> g,
                                                 int limit) {
  if (limit < 1 || limit > 100) return make_error(errc::bad_request, "limit must be 1–100");
  std::string q = fts_query(query);
  if (q.empty()) return make_error(errc::bad_request, "q must contain at least one word");
  if (query.size() > 500) return make_error(errc::bad_request, "q must be at most 500 bytes");
  if (auto r = search_limit_.spend(std::to_string(raw(who.id)), "you are searching too fast"); !r) return r.error();
  // The index trails the log by up to a second at light load (deferred_indexer): a search
  // first has the writer index what waits, so it finds a message sent a moment ago.
  if (ctx_.reader.with([](store::database& db) { return messages_wait_for_index(db); })) {
    auto indexed = ctx_.writer.call([](store::database& db, store::event_list&) -> result<bool> {
      index_new_messages(db);
      return true;
    });
    if (!indexed) return indexed.error();
  }
  return ctx_.reader.with([&](store::database& db) -> result<std::vector<search_hit>> {
    std::vector<search_hit> out;
    std::optional<std::int64_t> gid;
    if (g) gid = raw(*g);
    auto& st = db.prepare(search_sql).bind(1, raw(who.id)).bind(2, q).bind(3, gid).bind(4, limit);
    while (st.step())
      out.push_back(search_hit{group_id{st.int64(0)}, st.int64(1), st.int64(2), user_id{st.int64(3)}, st.text(4), st.text(5),
                               st.int64(6) != 0});
    return out;
  });
}

}  // namespace peerchat::service
