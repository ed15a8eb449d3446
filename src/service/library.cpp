// SPDX-License-Identifier: MIT
// The library of best practices. An entry keeps the saved message's text (and a question's
// accepted answer) in step with the message through triggers (migration 0007): edits follow,
// and a deleted message leaves no text behind.
#include "peerchat/service/library.hpp"
#include "peerchat/core/text.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/questions.hpp"
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace peerchat::service {

namespace {
constexpr char entry_columns[] =
    "SELECT e.id, e.target_seq, e.title, e.tags, e.body, m.sender_id, mu.display_name, mu.deleted_at IS NOT NULL, "
    "e.curated_by, cu.display_name, cu.deleted_at IS NOT NULL, e.created_at, e.updated_at, "
    "e.answer_seq, a.sender_id, au.display_name, au.deleted_at IS NOT NULL, e.answer_body ";
constexpr char entry_joins[] =
    "JOIN messages m ON m.group_id = e.group_id AND m.seq = e.target_seq JOIN users mu ON mu.id = m.sender_id "
    "JOIN users cu ON cu.id = e.curated_by "
    "LEFT JOIN messages a ON a.group_id = e.group_id AND a.seq = e.answer_seq LEFT JOIN users au ON au.id = a.sender_id ";
constexpr char tag_filter[] = "(?2 IS NULL OR EXISTS (SELECT 1 FROM json_each(e.tags) t WHERE t.value = ?2)) ";
std::string const one_sql = std::string(entry_columns) + "FROM library_entries e " + entry_joins + "WHERE e.id = ?1";
std::string const newest_sql = std::string(entry_columns) + "FROM library_entries e " + entry_joins +
    "WHERE e.group_id = ?1 AND " + tag_filter + "ORDER BY e.id DESC LIMIT ?3 OFFSET ?4";
std::string const search_sql = std::string(entry_columns) +
    "FROM library_fts f JOIN library_entries e ON e.id = f.rowid " + entry_joins +
    "WHERE library_fts MATCH ?5 AND e.group_id = ?1 AND " + tag_filter + "ORDER BY f.rank LIMIT ?3 OFFSET ?4";

constexpr std::size_t max_title_chars = 200;
constexpr std::size_t max_tag_chars = 32;

library_entry read_entry(store::statement& st) {
  library_entry e;
  e.id = st.int64(0);
  e.target_seq = st.int64(1);
  e.title = st.text(2);
  auto tags = nlohmann::json::parse(st.text(3), nullptr, false);
  if (tags.is_array())
    for (auto const& t : tags)
      if (t.is_string()) e.tags.push_back(t.get<std::string>());
  if (!st.is_null(4)) e.body = st.text(4);
  e.sender = read_person(st, 5);
  e.curated_by = read_person(st, 8);
  e.ts = st.int64(11);
  e.updated_at = st.int64(12);
  if (!st.is_null(13) && !st.is_null(14)) {
    quoted_message a;
    a.seq = st.int64(13);
    a.sender = read_person(st, 14);
    if (!st.is_null(17)) a.body = st.text(17);
    e.answer = std::move(a);
  }
  return e;
}

std::optional<library_entry> load_entry(store::database& db, std::int64_t id) {
  auto& st = db.prepare(one_sql).bind(1, id);
  if (!st.step()) return std::nullopt;
  auto e = read_entry(st);
  st.reset();
  return e;
}

std::string tags_json(std::vector<std::string> const& tags) { return nlohmann::json(tags).dump(); }

nlohmann::ordered_json entry_event_body(library_entry const& e, user_id actor) {
  return {{"entry_id", e.id}, {"target_seq", e.target_seq}, {"title", e.title}, {"tags", e.tags}, {"user_id", raw(actor)}};
}

// The entry in group g the caller may change (its curator, an owner or an admin).
result<library_entry> curatable(store::database& db, group_id g, std::int64_t id, user_id who) {
  auto mine = require_member(db, g, who);
  if (!mine) return mine.error();
  auto& st = db.prepare("SELECT curated_by FROM library_entries WHERE id = ?1 AND group_id = ?2").bind(1, id).bind(2, raw(g));
  if (!st.step()) return make_error(errc::not_found, "no such library entry");
  user_id curator{st.int64(0)};
  st.reset();
  if (curator != who && !can_manage(*mine))
    return make_error(errc::forbidden, "only its curator or the group's owners and admins may change a library entry");
  return *load_entry(db, id);
}

// What a person typed, as an FTS5 query: each word a quoted prefix, all required.
std::string fts_query(std::string_view q) {
  std::string out;
  std::size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < q.size()) {
    while (i < q.size() && space(q[i])) ++i;
    std::size_t start = i;
    while (i < q.size() && !space(q[i])) ++i;
    std::string word;
    for (char c : q.substr(start, i - start))
      if (c != '"' && static_cast<unsigned char>(c) >= 0x20) word += c;
    if (word.empty()) continue;
    if (!out.empty()) out += ' ';
    out += '"' + word + "\"*";
  }
  return out;
}
}  // namespace

result<std::string> check_library_title(std::string_view s) {
  if (!text::valid_utf8(s)) return make_error(errc::bad_request, "title must be valid UTF-8");
  auto t = text::trim(s);
  auto n = text::code_points(t);
  if (n < 1 || n > max_title_chars) return make_error(errc::bad_request, "title must be 1–200 characters");
  for (unsigned char c : t)
    if (c < 0x20 || c == 0x7f) return make_error(errc::bad_request, "title must not contain control characters");
  return std::string(t);
}

result<std::string> check_library_tag(std::string_view s) {
  if (!text::valid_utf8(s)) return make_error(errc::bad_request, "tags must be valid UTF-8");
  auto t = text::trim(s);
  if (!t.empty() && t.front() == '#') t.remove_prefix(1);
  auto n = text::code_points(t);
  if (n < 1 || n > max_tag_chars) return make_error(errc::bad_request, "each tag must be 1–32 characters");
  std::string out;
  for (char c : t) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return make_error(errc::bad_request, "a tag is one word: no spaces or control characters");
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

result<std::vector<std::string>> check_library_tags(std::vector<std::string> const& tags) {
  if (tags.size() > library::max_tags) return make_error(errc::bad_request, "an entry has at most 10 tags");
  std::vector<std::string> out;
  for (auto const& t : tags) {
    auto clean = check_library_tag(t);
    if (!clean) return clean.error();
    if (std::find(out.begin(), out.end(), *clean) == out.end()) out.push_back(std::move(*clean));
  }
  return out;
}

library::library(context& ctx)
    : ctx_(ctx),
      change_limit_(ctx.clock, ctx.config.limits.edit_per_minute / 60.0, ctx.config.limits.edit_burst,
                    ctx.config.limits.limiter_keys),
      search_limit_(ctx.clock, ctx.config.limits.search_per_minute / 60.0, ctx.config.limits.search_burst,
                    ctx.config.limits.limiter_keys) {}

result<library_change> library::add(user const& who, group_id g, seq_t seq, std::string_view title_in,
                                    std::vector<std::string> const& tags_in) {
  auto title = check_library_title(title_in);
  if (!title) return title.error();
  auto tags = check_library_tags(tags_in);
  if (!tags) return tags.error();
  if (seq <= 0) return make_error(errc::bad_request, "seq must be a message of this group");
  if (auto r = change_limit_.spend(std::to_string(raw(who.id)), "you are changing the library too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<library_change> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    auto& m = db.prepare("SELECT body FROM messages WHERE group_id = ?1 AND seq = ?2 AND deleted = 0").bind(1, raw(g)).bind(2, seq);
    if (!m.step()) return make_error(errc::bad_request, "seq must be a message of this group");
    m.reset();
    auto& dup = db.prepare("SELECT 1 FROM library_entries WHERE group_id = ?1 AND target_seq = ?2").bind(1, raw(g)).bind(2, seq);
    bool saved = dup.step();
    dup.reset();
    if (saved) return make_error(errc::conflict, "that message is already in the library");
    // A question with an accepted answer is saved with it.
    db.prepare("INSERT INTO library_entries (group_id, target_seq, title, tags, body, answer_seq, answer_body, curated_by, "
               "created_at, updated_at) "
               "SELECT ?1, ?2, ?3, ?4, m.body, q.accepted_seq, a.body, ?5, ?6, ?6 FROM messages m "
               "LEFT JOIN questions q ON q.group_id = m.group_id AND q.seq = m.seq "
               "LEFT JOIN messages a ON a.group_id = m.group_id AND a.seq = q.accepted_seq "
               "WHERE m.group_id = ?1 AND m.seq = ?2")
        .bind(1, raw(g)).bind(2, seq).bind(3, *title).bind(4, tags_json(*tags)).bind(5, raw(who.id)).bind(6, now).exec();
    auto entry = *load_entry(db, db.last_insert_rowid());
    auto e = append_event(db, events, {g, event_kind::library_added, now, who.id, seq, user_id{}, entry_event_body(entry, who.id)});
    return library_change{std::move(entry), std::move(e)};
  });
}

result<library_change> library::update(user const& who, group_id g, std::int64_t id, std::optional<std::string> title,
                                       std::optional<std::vector<std::string>> tags) {
  if (!title && !tags) return make_error(errc::bad_request, "give a title, tags or both");
  if (title) {
    auto t = check_library_title(*title);
    if (!t) return t.error();
    title = std::move(*t);
  }
  if (tags) {
    auto t = check_library_tags(*tags);
    if (!t) return t.error();
    tags = std::move(*t);
  }
  if (auto r = change_limit_.spend(std::to_string(raw(who.id)), "you are changing the library too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<library_change> {
    auto current = curatable(db, g, id, who.id);
    if (!current) return current.error();
    db.prepare("UPDATE library_entries SET title = ?2, tags = ?3, updated_at = ?4 WHERE id = ?1")
        .bind(1, id)
        .bind(2, title.value_or(current->title))
        .bind(3, tags_json(tags.value_or(current->tags)))
        .bind(4, now)
        .exec();
    auto entry = *load_entry(db, id);
    auto e = append_event(db, events, {g, event_kind::library_updated, now, who.id, entry.target_seq, user_id{},
                                       entry_event_body(entry, who.id)});
    return library_change{std::move(entry), std::move(e)};
  });
}

result<event> library::remove(user const& who, group_id g, std::int64_t id) {
  if (auto r = change_limit_.spend(std::to_string(raw(who.id)), "you are changing the library too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    auto current = curatable(db, g, id, who.id);
    if (!current) return current.error();
    db.prepare("DELETE FROM library_entries WHERE id = ?1").bind(1, id).exec();
    return append_event(db, events, {g, event_kind::library_removed, now, who.id, current->target_seq, user_id{},
                                     {{"entry_id", id}, {"target_seq", current->target_seq}, {"user_id", raw(who.id)}}});
  });
}

result<library_page> library::list(user const& who, group_id g, library_query const& query) {
  if (query.limit < 1 || query.limit > 100) return make_error(errc::bad_request, "limit must be 1–100");
  if (query.q.size() > 500) return make_error(errc::bad_request, "q must be at most 500 bytes");
  if (!text::valid_utf8(query.q)) return make_error(errc::bad_request, "q must be valid UTF-8");
  std::optional<std::string> tag;
  if (query.tag && !query.tag->empty()) {
    auto t = check_library_tag(*query.tag);
    if (!t) return t.error();
    tag = std::move(*t);
  }
  std::int64_t offset = 0;
  if (query.cursor && !query.cursor->empty()) {
    auto const& c = *query.cursor;
    auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), offset);
    if (ec != std::errc() || ptr != c.data() + c.size() || offset < 0)
      return make_error(errc::bad_request, "cursor must come from a previous page's next_cursor");
  }
  std::string match = fts_query(query.q);
  if (!match.empty())
    if (auto r = search_limit_.spend(std::to_string(raw(who.id)), "you are searching too fast"); !r) return r.error();
  return ctx_.reader.with([&](store::database& db) -> result<library_page> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    library_page page;
    auto& st = db.prepare(match.empty() ? newest_sql : search_sql);
    st.bind(1, raw(g)).bind(2, tag).bind(3, query.limit + 1).bind(4, offset);
    if (!match.empty()) st.bind(5, match);
    while (st.step()) page.entries.push_back(read_entry(st));
    if (static_cast<int>(page.entries.size()) > query.limit) {
      page.entries.pop_back();
      page.next_cursor = std::to_string(offset + query.limit);
    }
    return page;
  });
}

}  // namespace peerchat::service
