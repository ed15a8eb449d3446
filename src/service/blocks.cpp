// SPDX-License-Identifier: MIT
// Blocks, and the send rule of direct conversations.
#include "peerchat/service/blocks.hpp"

namespace peerchat::service {

namespace {
constexpr char between_sql[] =
    "SELECT blocker_id FROM blocks WHERE (blocker_id = ?1 AND blocked_id = ?2) OR (blocker_id = ?2 AND blocked_id = ?1)";
constexpr char sender_sql[] =
    "SELECT m.role, g.kind FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.group_id = ?1 AND m.user_id = ?2";
// The other member of a direct conversation, and whichever of the two blocked the other.
constexpr char direct_block_sql[] =
    "SELECT b.blocker_id, u.display_name FROM memberships o JOIN users u ON u.id = o.user_id "
    "JOIN blocks b ON (b.blocker_id = o.user_id AND b.blocked_id = ?2) OR (b.blocker_id = ?2 AND b.blocked_id = o.user_id) "
    "WHERE o.group_id = ?1 AND o.user_id <> ?2 ORDER BY b.blocker_id = ?2";
// A direct conversation keeps its two members until one of them deletes their account.
constexpr char direct_peer_left_sql[] = "SELECT count(*) < 2 FROM memberships WHERE group_id = ?1";
// Groups, direct conversations included: a block is how to stop someone one talks to.
constexpr char share_any_sql[] =
    "SELECT 1 FROM memberships a JOIN memberships b ON b.group_id = a.group_id AND b.user_id = ?2 "
    "WHERE a.user_id = ?1 LIMIT 1";
constexpr char list_sql[] =
    "SELECT u.id, u.username, u.display_name, b.created_at FROM blocks b JOIN users u ON u.id = b.blocked_id "
    "WHERE b.blocker_id = ?1 ORDER BY b.created_at DESC, u.id";

bool share_any(store::database& db, user_id a, user_id b) {
  auto& st = db.prepare(share_any_sql).bind(1, raw(a)).bind(2, raw(b));
  bool found = st.step();
  st.reset();
  return found;
}
}  // namespace

block_state block_between(store::database& db, user_id me, user_id other) {
  auto& st = db.prepare(between_sql).bind(1, raw(me)).bind(2, raw(other));
  block_state out = block_state::none;
  while (st.step())
    if (user_id{st.int64(0)} == other)
      out = block_state::they_blocked_you;
    else if (out == block_state::none)
      out = block_state::you_blocked_them;
  return out;
}

result<role> require_sender(store::database& db, group_id g, user_id u) {
  auto& st = db.prepare(sender_sql).bind(1, raw(g)).bind(2, raw(u));
  if (!st.step()) return make_error(errc::not_found, "no such group");
  auto r = parse_role(st.text_view(0)).value_or(role::member);
  bool is_direct = st.text_view(1) == "direct";
  st.reset();
  if (!is_direct) return r;
  auto& left = db.prepare(direct_peer_left_sql).bind(1, raw(g));
  left.step();
  bool peer_gone = left.int64(0) != 0;
  left.reset();
  // The history stays readable; nobody would ever read what is written here.
  if (peer_gone) return make_error(errc::forbidden, "this person deleted their account; the conversation can be read but not written to");
  auto& b = db.prepare(direct_block_sql).bind(1, raw(g)).bind(2, raw(u));
  if (!b.step()) return r;
  // Ordered so that "they blocked you" comes first when both blocked each other.
  bool they_did = user_id{b.int64(0)} != u;
  std::string name = b.text(1);
  b.reset();
  if (they_did) return make_error(errc::forbidden, name + " has blocked you");
  return make_error(errc::forbidden, "you have blocked " + name + "; unblock them to write here");
}

result<void> blocks::block(principal const& who, user_id other) {
  if (other == who.user.id) return make_error(errc::bad_request, "you cannot block yourself");
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    if (!share_any(db, who.user.id, other)) return make_error(errc::not_found, "no such user");
    db.prepare("INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?1, ?2, ?3)")
        .bind(1, raw(who.user.id))
        .bind(2, raw(other))
        .bind(3, now)
        .exec();
    return {};
  });
}

result<void> blocks::unblock(principal const& who, user_id other) {
  if (other == who.user.id) return make_error(errc::bad_request, "you cannot block yourself");
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    db.prepare("DELETE FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2").bind(1, raw(who.user.id)).bind(2, raw(other)).exec();
    if (db.changes() == 0 && !share_any(db, who.user.id, other)) return make_error(errc::not_found, "no such user");
    return {};
  });
}

result<std::vector<blocked_user>> blocks::list(principal const& who) {
  return ctx_.reader.with([&](store::database& db) -> result<std::vector<blocked_user>> {
    std::vector<blocked_user> out;
    auto& st = db.prepare(list_sql).bind(1, raw(who.user.id));
    while (st.step()) out.push_back(blocked_user{user_id{st.int64(0)}, st.text(1), st.text(2), st.int64(3)});
    return out;
  });
}

}  // namespace peerchat::service
