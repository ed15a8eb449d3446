// SPDX-License-Identifier: MIT
// Groups and their members.
#include "peerchat/service/groups.hpp"
#include "peerchat/service/direct.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/invites.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/questions.hpp"
#include "peerchat/service/validation.hpp"

namespace peerchat::service {

namespace {
// One group as one member sees it. Unread counts others' messages past the read marker, up
// to 1000 (docs/api.md): counting visits each message, and every connect counts every group
// of the member, so a large backlog made each connect (and a connect storm) slower.
constexpr char summary_sql[] =
    "SELECT g.id, g.name, g.topic, g.last_seq, g.created_at, m.role, m.last_read_seq, "
    "  (SELECT count(*) FROM (SELECT 1 FROM messages x WHERE x.group_id = g.id AND x.seq > m.last_read_seq "
    "     AND x.sender_id <> m.user_id AND x.deleted = 0 LIMIT 1000)), m.notify_level, m.muted_until, "
    "  g.kind, pu.id, pu.username, pu.display_name, pu.deleted_at IS NOT NULL "
    "FROM memberships m JOIN groups g ON g.id = m.group_id "
    // A direct conversation's other person, from its pair: still named ("Deleted user") after
    // they deleted their account and left (the join is empty for every other group).
    "LEFT JOIN direct_pairs dp ON g.kind = 'direct' AND dp.group_id = g.id "
    "LEFT JOIN users pu ON pu.id = CASE dp.user_low WHEN m.user_id THEN dp.user_high ELSE dp.user_low END "
    "WHERE m.user_id = ?1";
// A member with the profile others see (about, whether and since when they have an avatar).
constexpr char member_columns[] =
    "SELECT u.id, u.username, u.display_name, m.role, m.last_read_seq, u.about, "
    "coalesce((SELECT max(a.updated_at) FROM avatars a WHERE a.user_id = u.id), 0) FROM memberships m ";
std::string const members_sql = std::string(member_columns) +
    "JOIN users u ON u.id = m.user_id WHERE m.group_id = ?1 ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.username";
constexpr char owners_sql[] = "SELECT count(*) FROM memberships WHERE group_id = ?1 AND role = 'owner'";

member read_member(store::statement& st) {
  return member{user_id{st.int64(0)}, st.text(1), st.text(2), parse_role(st.text_view(3)).value_or(role::member),
                st.int64(4), st.text(5), st.int64(6)};
}

group_summary read_summary(store::statement& st) {
  group_summary s;
  s.group = group{group_id{st.int64(0)}, st.text(1), st.text(2), st.int64(3), st.int64(4)};
  s.role = parse_role(st.text_view(5)).value_or(role::member);
  s.last_read_seq = st.int64(6);
  s.unread = st.int64(7);
  s.notify_level = st.text(8);
  if (!st.is_null(9)) s.muted_until = st.int64(9);
  s.group.kind = st.text(10);
  if (!st.is_null(11)) {
    bool deleted = st.int64(14) != 0;
    s.peer = group_summary::direct_peer{user_id{st.int64(11)}, st.text(12),
                                        deleted ? "Deleted user" : st.text(13), deleted};
  }
  return s;
}

std::int64_t owner_count(store::database& db, group_id g) {
  auto& st = db.prepare(owners_sql).bind(1, raw(g));
  st.step();
  return st.int64(0);
}

// Issue 14: the open questions and the median time to a first answer over 30 days.
void add_question_stats(store::database& db, group_summary& s, millis_t now) {
  s.open_questions = open_question_count(db, s.group.id);
  s.median_first_answer_ms_30d = median_first_answer_ms(db, s.group.id, now - first_answer_window_ms);
}

std::optional<member> load_member(store::database& db, group_id g, user_id u) {
  static std::string const sql =
      std::string(member_columns) + "JOIN users u ON u.id = m.user_id WHERE m.group_id = ?1 AND m.user_id = ?2";
  auto& st = db.prepare(sql).bind(1, raw(g)).bind(2, raw(u));
  if (!st.step()) return std::nullopt;
  return read_member(st);
}
}  // namespace

std::optional<group_summary> load_summary(store::database& db, group_id g, user_id u, millis_t now) {
  auto& st = db.prepare(std::string(summary_sql) + " AND g.id = ?2").bind(1, raw(u)).bind(2, raw(g));
  if (!st.step()) return std::nullopt;
  auto s = read_summary(st);
  st.reset();
  add_question_stats(db, s, now);
  return s;
}

result<group_summary> groups::create(principal const& who, std::string_view name, std::string_view topic) {
  if (!ctx_.config.may_create_groups(who.user.is_admin))
    return make_error(errc::forbidden, "only server admins may create groups (setting group-creation)");
  auto n = check_group_name(name);
  if (!n) return n.error();
  auto t = check_topic(topic);
  if (!t) return t.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<group_summary> {
    db.prepare("INSERT INTO groups (name, topic, created_by, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, *n)
        .bind(2, *t)
        .bind(3, raw(who.user.id))
        .bind(4, now)
        .exec();
    group_id g{db.last_insert_rowid()};
    db.prepare("INSERT INTO memberships (group_id, user_id, role, joined_at) VALUES (?1, ?2, 'owner', ?3)")
        .bind(1, raw(g))
        .bind(2, raw(who.user.id))
        .bind(3, now)
        .exec();
    append_event(db, events, {g, event_kind::member_joined, now, who.user.id, std::nullopt, who.user.id,
                              {{"user_id", raw(who.user.id)}, {"role", "owner"}}});
    return *load_summary(db, g, who.user.id, now);
  });
}

result<std::vector<group_summary>> groups::list(principal const& who) {
  return ctx_.reader.with([&](store::database& db) -> result<std::vector<group_summary>> {
    std::vector<group_summary> out;
    auto& st = db.prepare(std::string(summary_sql) + " ORDER BY g.last_seq DESC, g.id").bind(1, raw(who.user.id));
    while (st.step()) out.push_back(read_summary(st));
    millis_t now = ctx_.clock.now();
    for (auto& s : out) add_question_stats(db, s, now);
    return out;
  });
}

result<group_detail> groups::get(principal const& who, group_id g) {
  auto detail = ctx_.reader.with([&](store::database& db) -> result<group_detail> {
    auto s = load_summary(db, g, who.user.id, ctx_.clock.now());
    if (!s) return make_error(errc::not_found, "no such group");
    group_detail d{*s, {}, {}};
    auto& st = db.prepare(members_sql).bind(1, raw(g));
    while (st.step())
      d.members.push_back(read_member(st));
    return d;
  });
  if (detail)
    for (auto const& m : detail->members)
      detail->online.push_back(ctx_.hooks.is_online ? ctx_.hooks.is_online(m.user) : false);
  return detail;
}

result<group_summary> groups::update(principal const& who, group_id g, std::optional<std::string> name,
                                     std::optional<std::string> topic) {
  if (name) {
    auto n = check_group_name(*name);
    if (!n) return n.error();
    name = *n;
  }
  if (topic) {
    auto t = check_topic(*topic);
    if (!t) return t.error();
    topic = *t;
  }
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<group_summary> {
    auto mine = require_member_of_group(db, g, who.user.id, "renamed");
    if (!mine) return mine.error();
    if (!can_manage(*mine)) return make_error(errc::forbidden, "only the group's owners and admins may do this");
    auto& current = db.prepare("SELECT name, topic FROM groups WHERE id = ?1").bind(1, raw(g));
    current.step();
    std::string old_name = current.text(0), old_topic = current.text(1);
    current.reset();
    std::string new_name = name.value_or(old_name);
    std::string new_topic = topic.value_or(old_topic);
    if (new_name != old_name || new_topic != old_topic) {
      db.prepare("UPDATE groups SET name = ?2, topic = ?3 WHERE id = ?1")
          .bind(1, raw(g))
          .bind(2, new_name)
          .bind(3, new_topic)
          .exec();
      append_event(db, events, {g, event_kind::group_updated, now, who.user.id, std::nullopt, user_id{},
                                {{"name", new_name}, {"topic", new_topic}}});
    }
    return *load_summary(db, g, who.user.id, now);
  });
}

result<member> groups::set_role(principal const& who, group_id g, user_id target, role r) {
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<member> {
    auto mine = require_member_of_group(db, g, who.user.id, "given roles");
    if (!mine) return mine.error();
    if (*mine != role::owner) return make_error(errc::forbidden, "only the group's owners may change roles");
    auto current = role_of(db, g, target);
    if (!current) return make_error(errc::not_found, "that user is not a member of this group");
    if (*current == role::owner && r != role::owner && owner_count(db, g) == 1)
      return make_error(errc::conflict, "a group needs an owner: make someone else owner first");
    if (*current != r) {
      db.prepare("UPDATE memberships SET role = ?3 WHERE group_id = ?1 AND user_id = ?2")
          .bind(1, raw(g))
          .bind(2, raw(target))
          .bind(3, to_string(r))
          .exec();
      if (!can_manage(r)) revoke_invites_of(db, g, target);  // a plain member cannot invite
      append_event(db, events, {g, event_kind::role_changed, now, who.user.id, std::nullopt, target,
                                {{"user_id", raw(target)}, {"role", to_string(r)}}});
    }
    return *load_member(db, g, target);
  });
}

result<void> groups::remove_member(principal const& who, group_id g, user_id target) {
  millis_t now = ctx_.clock.now();
  bool leaving = target == who.user.id;
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<void> {
    // A direct conversation stays a conversation of two: nobody is removed and nobody leaves.
    auto mine = require_member_of_group(db, g, who.user.id, "left, and nobody can be removed from it");
    if (!mine) return mine.error();
    auto theirs = role_of(db, g, target);
    if (!leaving) {
      if (!can_manage(*mine)) return make_error(errc::forbidden, "only the group's owners and admins may remove members");
      if (!theirs) return make_error(errc::not_found, "that user is not a member of this group");
      if (*theirs == role::owner && *mine != role::owner)
        return make_error(errc::forbidden, "only an owner may remove an owner");
    }
    if (*theirs == role::owner && owner_count(db, g) == 1) {
      auto& others = db.prepare("SELECT count(*) FROM memberships WHERE group_id = ?1").bind(1, raw(g));
      others.step();
      if (others.int64(0) > 1)
        return make_error(errc::conflict, "a group needs an owner: make someone else owner first");
    }
    db.prepare("DELETE FROM memberships WHERE group_id = ?1 AND user_id = ?2").bind(1, raw(g)).bind(2, raw(target)).exec();
    revoke_invites_of(db, g, target);  // their invites die with their membership
    append_event(db, events, {g, leaving ? event_kind::member_left : event_kind::member_removed, now, who.user.id,
                              std::nullopt, target, {{"user_id", raw(target)}}});
    return {};
  });
}

}  // namespace peerchat::service
