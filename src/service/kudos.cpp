// SPDX-License-Identifier: MIT
// Kudos: stored in their own table for the wall, and an event in the group's log.
#include "peerchat/service/kudos.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/validation.hpp"
#include <cstdint>
#include <stdexcept>

namespace peerchat::service {

namespace {
constexpr char message_sql[] = "SELECT sender_id, deleted FROM messages WHERE group_id = ?1 AND seq = ?2";
constexpr char insert_sql[] =
    "INSERT INTO kudos (group_id, seq, from_user_id, user_id, note, target_seq, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char erase_note_sql[] =
    "UPDATE events SET data = json_set(json_remove(data, '$.note'), '$.deleted', json('true')) "
    "WHERE group_id = ?1 AND seq = ?2 AND kind = 'kudos'";
constexpr char next_id_sql[] = "SELECT coalesce(max(id), 0) + 1 FROM kudos";
// A deleted account shows as "Deleted user" here as everywhere (docs/accounts.md).
constexpr char list_sql[] =
    "SELECT k.id, k.seq, k.created_at, k.from_user_id, "
    "  CASE WHEN f.deleted_at IS NULL THEN f.display_name ELSE 'Deleted user' END, k.user_id, "
    "  CASE WHEN t.deleted_at IS NULL THEN t.display_name ELSE 'Deleted user' END, k.note, k.target_seq "
    "FROM kudos k JOIN users f ON f.id = k.from_user_id JOIN users t ON t.id = k.user_id "
    "WHERE k.group_id = ?1 AND k.created_at >= ?2 AND (?3 IS NULL OR k.user_id = ?3) AND k.id < ?4 "
    "ORDER BY k.id DESC LIMIT ?5";
constexpr char totals_sql[] =
    "SELECT k.user_id, CASE WHEN t.deleted_at IS NULL THEN t.display_name ELSE 'Deleted user' END, count(*) AS n "
    "FROM kudos k JOIN users t ON t.id = k.user_id "
    "WHERE k.group_id = ?1 AND k.created_at >= ?2 AND (?3 IS NULL OR k.user_id = ?3) "
    "GROUP BY k.user_id ORDER BY n DESC, k.user_id";
}  // namespace

kudos::kudos(context& ctx) : ctx_(ctx), give_limit_(ctx.clock, 1.0 / 60, 10, ctx.config.limits.limiter_keys) {}

result<event> kudos::give(principal const& who, group_id g, kudos_request req) {
  auto note = check_body(req.note, max_note_chars);
  if (!note) return make_error(errc::bad_request, "note must be 1–" + std::to_string(max_note_chars) + " characters of text");
  if (req.to == who.user.id) return make_error(errc::bad_request, "kudos are for someone else");
  if (req.seq && *req.seq <= 0) return make_error(errc::bad_request, "seq must be a message of this group");
  if (auto r = give_limit_.spend(std::to_string(raw(who.user.id)), "you are giving kudos too fast"); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    if (!role_of(db, g, req.to)) return make_error(errc::bad_request, "user_id is not a member of this group");
    if (req.seq) {
      auto& m = db.prepare(message_sql).bind(1, raw(g)).bind(2, *req.seq);
      bool found = m.step();
      bool ok = found && m.int64(1) == 0 && user_id{m.int64(0)} == req.to;
      m.reset();
      if (!found) return make_error(errc::bad_request, "seq is not a message of this group");
      if (!ok) return make_error(errc::bad_request, "seq must be a live message written by the member receiving the kudos");
    }
    auto& next = db.prepare(next_id_sql);
    next.step();
    std::int64_t id = next.int64(0);
    next.reset();
    nlohmann::ordered_json body{{"kudos_id", id}, {"from_user_id", raw(who.user.id)}, {"user_id", raw(req.to)}, {"note", *note}};
    if (req.seq) body["target_seq"] = *req.seq;
    auto e = append_event(db, events, {g, event_kind::kudos, now, who.user.id, req.seq, user_id{}, std::move(body)});
    db.prepare(insert_sql)
        .bind(1, raw(g))
        .bind(2, e.seq)
        .bind(3, raw(who.user.id))
        .bind(4, raw(req.to))
        .bind(5, *note)
        .bind(6, req.seq)
        .bind(7, now)
        .exec();
    if (db.last_insert_rowid() != id) throw std::logic_error("kudos id and event disagree");
    return e;
  });
}

result<event> kudos::withdraw(principal const& who, group_id g, std::int64_t kudos_id) {
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<event> {
    auto mine = require_member(db, g, who.user.id);
    if (!mine) return mine.error();
    auto& st = db.prepare("SELECT seq, from_user_id FROM kudos WHERE id = ?1 AND group_id = ?2").bind(1, kudos_id).bind(2, raw(g));
    if (!st.step()) return make_error(errc::not_found, "no such kudos");
    seq_t seq = st.int64(0);
    user_id giver{st.int64(1)};
    st.reset();
    if (giver != who.user.id && !can_manage(*mine))
      return make_error(errc::forbidden, "only its giver or the group's owners and admins may remove a kudos");
    db.prepare("DELETE FROM kudos WHERE id = ?1").bind(1, kudos_id).exec();
    db.prepare(erase_note_sql).bind(1, raw(g)).bind(2, seq).exec();
    // The old pages hold the note in the WAL until the checkpointer truncates it (migration 0003).
    db.prepare("UPDATE erasures SET count = count + 1 WHERE id = 1").exec();
    return append_event(db, events,
                        {g, event_kind::kudos_removed, now, who.user.id, seq, user_id{},
                         {{"kudos_id", kudos_id}, {"target_seq", seq}, {"user_id", raw(who.user.id)}}});
  });
}

result<nlohmann::ordered_json> kudos::list(principal const& who, group_id g, kudos_query q) {
  if (q.limit < 1 || q.limit > 200) return make_error(errc::bad_request, "limit must be 1–200");
  return ctx_.reader.with([&](store::database& db) -> result<nlohmann::ordered_json> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    std::optional<std::int64_t> member;
    if (q.member) member = raw(*q.member);
    millis_t since = q.since.value_or(0);
    auto items = nlohmann::ordered_json::array();
    auto& st = db.prepare(list_sql)
                   .bind(1, raw(g))
                   .bind(2, since)
                   .bind(3, member)
                   .bind(4, q.before_id.value_or(INT64_MAX))
                   .bind(5, q.limit + 1);  // one more: is there a next page?
    std::optional<std::int64_t> next_cursor;
    while (st.step()) {
      if (static_cast<int>(items.size()) == q.limit) {
        next_cursor = items.back()["id"].get<std::int64_t>();
        st.reset();
        break;
      }
      nlohmann::ordered_json k{{"id", st.int64(0)},
                               {"seq", st.int64(1)},
                               {"ts", st.int64(2)},
                               {"from_user_id", st.int64(3)},
                               {"from_display_name", st.text(4)},
                               {"user_id", st.int64(5)},
                               {"display_name", st.text(6)},
                               {"note", st.text(7)}};
      if (!st.is_null(8)) k["target_seq"] = st.int64(8);
      items.push_back(std::move(k));
    }
    auto totals = nlohmann::ordered_json::array();
    auto& t = db.prepare(totals_sql).bind(1, raw(g)).bind(2, since).bind(3, member);
    while (t.step()) totals.push_back({{"user_id", t.int64(0)}, {"display_name", t.text(1)}, {"count", t.int64(2)}});
    nlohmann::ordered_json out{{"kudos", std::move(items)}, {"totals", std::move(totals)}};
    out["next_cursor"] = next_cursor ? nlohmann::ordered_json(std::to_string(*next_cursor)) : nlohmann::ordered_json(nullptr);
    return result<nlohmann::ordered_json>(boost::system::in_place_value, std::move(out));
  });
}

}  // namespace peerchat::service
