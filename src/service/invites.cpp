// SPDX-License-Identifier: MIT
// Invites: creation, listing, revocation, preview and the atomic accept.
#include "peerchat/service/invites.hpp"
#include "peerchat/service/direct.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/groups.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/validation.hpp"

namespace peerchat::service {

namespace {
constexpr char invite_sql[] =
    "SELECT code, group_id, created_by, max_uses, uses, expires_at, revoked, created_at FROM invites WHERE code = ?1";
// Live invites whose creator may still invite (an owner or admin of the group).
constexpr char group_invites_sql[] =
    "SELECT code, group_id, created_by, max_uses, uses, expires_at, revoked, created_at FROM invites "
    "WHERE group_id = ?1 AND revoked = 0 AND uses < max_uses AND expires_at > ?2 AND "
    "EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = invites.group_id AND m.user_id = invites.created_by "
    "AND m.role IN ('owner', 'admin')) ORDER BY created_at DESC";
// The use is counted by this one statement; with the single writer, two accepts can never
// both see the last use free.
constexpr char use_invite_sql[] =
    "UPDATE invites SET uses = uses + 1 WHERE code = ?1 AND revoked = 0 AND uses < max_uses AND expires_at > ?2";

constexpr char too_many_accepts[] = "too many invite accepts; try again later";

error invalid_invite() { return make_error(errc::invite_invalid, "this invite is unknown, expired, revoked or used up"); }

invite read_invite(store::statement& st) {
  return invite{st.text(0), group_id{st.int64(1)}, user_id{st.int64(2)}, static_cast<int>(st.int64(3)),
                static_cast<int>(st.int64(4)), st.int64(5), st.int64(6) != 0, st.int64(7)};
}

std::optional<invite> find_invite(store::database& db, std::string_view code) {
  auto& st = db.prepare(invite_sql).bind(1, code);
  if (!st.step()) return std::nullopt;
  return read_invite(st);
}

// The invite behind code when it can be used now: live, and its creator still an owner or
// admin of the group (a removed, departed or demoted admin's invites die with their role).
std::optional<invite> usable_invite(store::database& db, std::string_view code, millis_t now) {
  auto inv = find_invite(db, code);
  if (!inv || !inv->live(now)) return std::nullopt;
  auto creator = role_of(db, inv->group, inv->created_by);
  if (!creator || !can_manage(*creator)) return std::nullopt;
  return inv;
}

// Joins u to the invite's group using one use of the code. Writer thread only.
result<group_id> use_invite(store::database& db, store::event_list& events, std::string_view code, user_id u,
                            millis_t now) {
  auto inv = usable_invite(db, code, now);
  if (!inv) return invalid_invite();
  db.prepare(use_invite_sql).bind(1, code).bind(2, now).exec();
  if (db.changes() != 1) return invalid_invite();
  db.prepare("INSERT INTO memberships (group_id, user_id, role, joined_at) VALUES (?1, ?2, 'member', ?3)")
      .bind(1, raw(inv->group))
      .bind(2, raw(u))
      .bind(3, now)
      .exec();
  append_event(db, events, {inv->group, event_kind::member_joined, now, u, std::nullopt, u,
                            {{"user_id", raw(u)}, {"role", "member"}}});
  return inv->group;
}
}  // namespace

invites::invites(context& ctx)
    : ctx_(ctx),
      accept_limit_(ctx.clock, ctx.config.limits.accept_per_minute / 60.0, ctx.config.limits.accept_burst,
                    ctx.config.limits.limiter_keys),
      new_account_limit_(ctx.clock, ctx.config.limits.accept_per_minute / 60.0, ctx.config.limits.accept_burst,
                         ctx.config.limits.limiter_keys) {}

void revoke_invites_of(store::database& db, group_id g, user_id u) {
  db.prepare("UPDATE invites SET revoked = 1 WHERE group_id = ?1 AND created_by = ?2 AND revoked = 0")
      .bind(1, raw(g))
      .bind(2, raw(u))
      .exec();
}

result<invite> invites::create(principal const& who, group_id g, int max_uses, std::int64_t expires_in_s) {
  if (max_uses < 1 || max_uses > 1000) return make_error(errc::bad_request, "max_uses must be 1–1000");
  if (expires_in_s < 60 || expires_in_s > 365LL * 86400)
    return make_error(errc::bad_request, "expires_in_s must be 60–31536000");
  millis_t now = ctx_.clock.now();
  std::string code = crypto::random_token(24);  // 192 bits
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<invite> {
    if (auto r = require_member_of_group(db, g, who.user.id, "joined through an invite"); !r) return r.error();
    if (auto r = require_manager(db, g, who.user.id); !r) return r.error();
    invite inv{code, g, who.user.id, max_uses, 0, now + expires_in_s * 1000, false, now};
    db.prepare("INSERT INTO invites (code, group_id, created_by, max_uses, expires_at, created_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, inv.code)
        .bind(2, raw(g))
        .bind(3, raw(who.user.id))
        .bind(4, max_uses)
        .bind(5, inv.expires_at)
        .bind(6, now)
        .exec();
    return inv;
  });
}

result<std::vector<invite>> invites::list(principal const& who, group_id g) {
  millis_t now = ctx_.clock.now();
  return ctx_.reader.with([&](store::database& db) -> result<std::vector<invite>> {
    if (auto r = require_manager(db, g, who.user.id); !r) return r.error();
    std::vector<invite> out;
    auto& st = db.prepare(group_invites_sql).bind(1, raw(g)).bind(2, now);
    while (st.step()) out.push_back(read_invite(st));
    return out;
  });
}

result<void> invites::revoke(principal const& who, group_id g, std::string_view code) {
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    if (auto r = require_manager(db, g, who.user.id); !r) return r.error();
    db.prepare("UPDATE invites SET revoked = 1 WHERE code = ?1 AND group_id = ?2").bind(1, code).bind(2, raw(g)).exec();
    if (db.changes() != 1) return make_error(errc::not_found, "no such invite in this group");
    return {};
  });
}

result<invite_preview> invites::preview(std::string_view code) {
  millis_t now = ctx_.clock.now();
  return ctx_.reader.with([&](store::database& db) -> result<invite_preview> {
    auto inv = usable_invite(db, code, now);
    if (!inv) return invalid_invite();
    auto& st = db.prepare("SELECT g.name, u.display_name FROM groups g, users u WHERE g.id = ?1 AND u.id = ?2")
                   .bind(1, raw(inv->group))
                   .bind(2, raw(inv->created_by));
    if (!st.step()) return invalid_invite();
    return invite_preview{st.text(0), st.text(1), inv->expires_at};
  });
}

result<accept_result> invites::accept(principal const& who, std::string_view code) {
  if (auto r = accept_limit_.spend(std::to_string(raw(who.user.id)), too_many_accepts); !r) return r.error();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<accept_result> {
    auto inv = usable_invite(db, code, now);
    if (!inv) return invalid_invite();
    if (role_of(db, inv->group, who.user.id))  // already in: answer with the group, keep the use
      return accept_result{*load_summary(db, inv->group, who.user.id, now), false};
    auto g = use_invite(db, events, code, who.user.id, now);
    if (!g) return g.error();
    return accept_result{*load_summary(db, *g, who.user.id, now), true};
  });
}

result<login_result> invites::accept_new_account(std::string_view code, std::string_view username,
                                                 std::string_view display_name, std::string_view password,
                                                 std::string const& client_address, group_summary* joined) {
  auto name = check_username(username);
  if (!name) return name.error();
  auto display = check_display_name(display_name);
  if (!display) return display.error();
  auto pw = check_password(password);
  if (!pw) return pw.error();
  // Each try costs an Argon2id hash: budget them per address (no user to charge yet).
  if (auto r = new_account_limit_.spend(client_address.substr(0, 64), too_many_accepts); !r) return r.error();
  millis_t now = ctx_.clock.now();
  {
    // Cheap early answers, before spending a password hash: a dead code, a taken username.
    auto early = ctx_.reader.with([&](store::database& db) -> result<void> {
      if (!usable_invite(db, code, now)) return invalid_invite();
      if (db.prepare("SELECT 1 FROM users WHERE username = ?1").bind(1, *name).step())
        return make_error(errc::conflict, "that username is taken");
      return {};
    });
    if (!early) return early.error();
  }
  std::string hash = crypto::hash_password(*pw);
  auto days = ctx_.config.limits.session_days;
  return ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<login_result> {
    if (!usable_invite(db, code, now)) return invalid_invite();
    auto u = insert_user(db, *name, *display, hash, false, now);
    if (!u) return u.error();
    auto g = use_invite(db, events, code, u->id, now);
    if (!g) throw std::runtime_error("invite became invalid inside its own transaction");
    session_id sid{};
    std::string token = create_session(db, u->id, now, days, &sid);
    if (joined) *joined = *load_summary(db, *g, u->id, now);
    return login_result{std::move(token), *u, sid};
  });
}

}  // namespace peerchat::service
