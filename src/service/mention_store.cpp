// SPDX-License-Identifier: MIT
// Storing and reading the mentions of messages.
#include "peerchat/service/mention_store.hpp"
#include "peerchat/domain/role.hpp"
#include "peerchat/service/mentions.hpp"

namespace peerchat::service {

namespace {
constexpr char members_sql[] =
    "SELECT u.id, u.username, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id = ?1";
constexpr char clear_sql[] = "DELETE FROM mentions WHERE group_id = ?1 AND seq = ?2";
constexpr char insert_sql[] = "INSERT INTO mentions (group_id, seq, user_id, ts) VALUES (?1, ?2, ?3, ?4)";
constexpr char select_sql[] = "SELECT user_id FROM mentions WHERE group_id = ?1 AND seq = ?2 ORDER BY user_id";
}  // namespace

std::vector<std::int64_t> store_mentions(store::database& db, group_id g, seq_t seq, user_id sender,
                                         std::string_view body, millis_t ts) {
  db.prepare(clear_sql).bind(1, raw(g)).bind(2, seq).exec();
  std::vector<std::int64_t> out;
  if (body.find('@') == std::string_view::npos) return out;  // the common case reads no members
  std::vector<mention_candidate> members;
  bool may_mention_all = false;
  auto& st = db.prepare(members_sql).bind(1, raw(g));
  while (st.step()) {
    user_id u{st.int64(0)};
    if (u == sender) may_mention_all = can_manage(parse_role(st.text_view(2)).value_or(role::member));
    members.push_back({u, st.text(1)});
  }
  for (user_id u : find_mentions(body, members, sender, may_mention_all)) {
    db.prepare(insert_sql).bind(1, raw(g)).bind(2, seq).bind(3, raw(u)).bind(4, ts).exec();
    out.push_back(raw(u));
  }
  return out;
}

std::vector<std::int64_t> stored_mentions(store::database& db, group_id g, seq_t seq) {
  std::vector<std::int64_t> out;
  auto& st = db.prepare(select_sql).bind(1, raw(g)).bind(2, seq);
  while (st.step()) out.push_back(st.int64(0));
  return out;
}

}  // namespace peerchat::service
