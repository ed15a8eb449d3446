// SPDX-License-Identifier: MIT
// Direct conversations between two people.
#include "peerchat/service/direct.hpp"
#include "peerchat/service/blocks.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/membership.hpp"
#include <algorithm>

namespace peerchat::service {

namespace {
constexpr char role_and_kind_sql[] =
    "SELECT m.role, g.kind FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.group_id = ?1 AND m.user_id = ?2";
constexpr char pair_sql[] = "SELECT group_id FROM direct_pairs WHERE user_low = ?1 AND user_high = ?2";
constexpr char live_user_sql[] = "SELECT display_name FROM users WHERE id = ?1 AND deleted_at IS NULL";
// Whether two people are members of one ordinary group together (direct ones do not count:
// a conversation of two must not be the way to reach a third person).
constexpr char share_a_group_sql[] =
    "SELECT 1 FROM memberships a JOIN memberships b ON b.group_id = a.group_id AND b.user_id = ?2 "
    "JOIN groups g ON g.id = a.group_id AND g.kind = 'group' WHERE a.user_id = ?1 LIMIT 1";
}  // namespace

result<role> require_member_of_group(store::database& db, group_id g, user_id u, std::string_view what) {
  auto& st = db.prepare(role_and_kind_sql).bind(1, raw(g)).bind(2, raw(u));
  if (!st.step()) return make_error(errc::not_found, "no such group");
  auto r = parse_role(st.text_view(0)).value_or(role::member);
  bool is_direct = st.text_view(1) == "direct";
  st.reset();
  if (is_direct) return make_error(errc::bad_request, "a direct conversation cannot be " + std::string(what));
  return r;
}

result<direct_opened> direct::open(principal const& who, user_id other) {
  user_id me = who.user.id;
  if (other == me) return make_error(errc::bad_request, "a direct conversation needs someone else");
  if (auto spent = open_limit_.spend(std::to_string(raw(me)), "too many direct conversations opened; try again shortly"); !spent)
    return spent.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<direct_opened> {
    // One answer for "no such user" and "nobody you know": a stranger learns nothing.
    auto unknown = [] { return make_error(errc::not_found, "no such user"); };
    auto& person = db.prepare(live_user_sql).bind(1, raw(other));
    if (!person.step()) return unknown();
    std::string their_name = person.text(0);
    person.reset();
    std::int64_t low = std::min(raw(me), raw(other));
    std::int64_t high = std::max(raw(me), raw(other));
    auto& pair = db.prepare(pair_sql).bind(1, low).bind(2, high);
    std::optional<group_id> existing;
    if (pair.step()) existing = group_id{pair.int64(0)};
    pair.reset();
    if (!existing) {
      auto& shared = db.prepare(share_a_group_sql).bind(1, raw(me)).bind(2, raw(other));
      bool share = shared.step();
      shared.reset();
      if (!share) return unknown();
    }
    if (block_between(db, me, other) == block_state::they_blocked_you)
      return make_error(errc::forbidden, their_name + " has blocked you");
    if (existing) {
      if (!role_of(db, *existing, me)) return unknown();
      return direct_opened{*existing, false};
    }
    // Empty name and topic: clients show the other person (GET /groups `peer`).
    db.prepare("INSERT INTO groups (name, topic, created_by, created_at, kind) VALUES ('', '', ?1, ?2, 'direct')")
        .bind(1, raw(me))
        .bind(2, now)
        .exec();
    group_id g{db.last_insert_rowid()};
    db.prepare("INSERT INTO direct_pairs (user_low, user_high, group_id) VALUES (?1, ?2, ?3)")
        .bind(1, low)
        .bind(2, high)
        .bind(3, raw(g))
        .exec();
    // The joins are events like any group's: the hub learns the members from them, and each
    // side's other devices hear of the new conversation.
    for (user_id u : {me, other}) {
      db.prepare("INSERT INTO memberships (group_id, user_id, role, joined_at) VALUES (?1, ?2, 'member', ?3)")
          .bind(1, raw(g))
          .bind(2, raw(u))
          .bind(3, now)
          .exec();
      append_event(db, events, {g, event_kind::member_joined, now, me, std::nullopt, u,
                                {{"user_id", raw(u)}, {"role", "member"}}});
    }
    return direct_opened{g, true};
  });
}

}  // namespace peerchat::service
