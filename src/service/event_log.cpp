// SPDX-License-Identifier: MIT
// The per-group event log: seq assignment and storage, on the writer thread.
#include "peerchat/service/event_log.hpp"

namespace peerchat::service {

namespace {
constexpr char next_seq_sql[] = "UPDATE groups SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq";
constexpr char insert_event_sql[] =
    "INSERT INTO events (group_id, seq, ts, kind, actor_id, target_seq, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char select_event_sql[] = "SELECT data FROM events WHERE group_id = ?1 AND seq = ?2";
}  // namespace

event append_event(store::database& db, store::event_list& out, event_fields f) {
  auto& next = db.prepare(next_seq_sql).bind(1, raw(f.group));
  if (!next.step()) throw store::sqlite_error(0, "event for a group that does not exist");
  seq_t seq = next.int64(0);
  next.exec();

  nlohmann::ordered_json j;
  j["type"] = "event";
  j["group_id"] = raw(f.group);
  j["seq"] = seq;
  j["ts"] = f.ts;
  j["kind"] = to_string(f.kind);
  for (auto& [key, value] : f.body.items()) j[key] = std::move(value);
  auto wire = std::make_shared<std::string>(j.dump());

  std::optional<std::int64_t> actor;
  if (f.actor) actor = raw(*f.actor);
  db.prepare(insert_event_sql)
      .bind(1, raw(f.group))
      .bind(2, seq)
      .bind(3, f.ts)
      .bind(4, to_string(f.kind))
      .bind(5, actor)
      .bind(6, f.target_seq)
      .bind(7, *wire)
      .exec();

  event e{f.group, seq, f.ts, f.kind, f.subject, std::move(wire)};
  out.push_back(e);
  return e;
}

std::optional<std::string> stored_event(store::database& db, group_id g, seq_t seq) {
  auto& st = db.prepare(select_event_sql).bind(1, raw(g)).bind(2, seq);
  if (!st.step()) return std::nullopt;
  auto data = st.text(0);
  st.reset();
  return data;
}

}  // namespace peerchat::service
