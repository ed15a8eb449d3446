// SPDX-License-Identifier: MIT
// User administration: the admin's people, one-time reset/setup codes, account deletion.
#include "peerchat/service/user_admin.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/core/text.hpp"
#include "peerchat/service/community_erasure.hpp"
#include "peerchat/service/event_log.hpp"
#include "peerchat/service/invites.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/profiles.hpp"
#include "peerchat/service/validation.hpp"
#include <nlohmann/json.hpp>
#include <tuple>

namespace peerchat::service {

namespace {
constexpr char admin_user_columns[] = "id, username, display_name, is_admin, disabled, created_at, last_seen_at";
// Enabled, live admins: the last one may be neither disabled, unmade nor deleted.
constexpr char enabled_admins_sql[] =
    "SELECT count(*) FROM users WHERE is_admin = 1 AND disabled = 0 AND deleted_at IS NULL";
constexpr char live_code_sql[] =
    "SELECT c.user_id, c.purpose, c.expires_at, u.username, u.display_name, u.disabled "
    "FROM account_codes c JOIN users u ON u.id = c.user_id "
    "WHERE c.code_hash = ?1 AND c.expires_at > ?2 AND u.deleted_at IS NULL";

// Codes and passwords are tried per client address: 10 a minute after a burst of 10, so that
// guessing a 256-bit code is hopeless and a person who mistypes is not locked out.
constexpr double code_attempts_per_second = 10.0 / 60;
constexpr double code_attempts_burst = 10;

error forbidden_for_non_admins() { return make_error(errc::forbidden, "only server admins may manage users"); }
error no_such_user() { return make_error(errc::not_found, "no such user"); }
error dead_code() { return make_error(errc::not_found, "this link is unknown, used or expired"); }

admin_user read_admin_user(store::statement& st) {
  admin_user u;
  u.id = user_id{st.int64(0)};
  u.username = st.text(1);
  u.display_name = st.text(2);
  u.is_admin = st.int64(3) != 0;
  u.disabled = st.int64(4) != 0;
  u.created_at = st.int64(5);
  if (!st.is_null(6)) u.last_seen_at = st.int64(6);
  return u;
}

// A live (not deleted) account, or nullopt.
std::optional<admin_user> load_admin_user(store::database& db, user_id u) {
  auto& st = db.prepare(std::string("SELECT ") + admin_user_columns + " FROM users WHERE id = ?1 AND deleted_at IS NULL")
                 .bind(1, raw(u));
  if (!st.step()) return std::nullopt;
  auto out = read_admin_user(st);
  st.reset();
  return out;
}

std::int64_t enabled_admins(store::database& db) {
  auto& st = db.prepare(enabled_admins_sql);
  st.step();
  auto n = st.int64(0);
  st.reset();
  return n;
}

// True when taking `u` away as an enabled admin would leave the server without one.
bool is_last_enabled_admin(store::database& db, admin_user const& u) {
  return u.is_admin && !u.disabled && enabled_admins(db) <= 1;
}

error last_admin() {
  return make_error(errc::conflict, "this is the last enabled server admin: make someone else an admin first");
}

// The sender object of a deleted user, written into their old message events.
std::string deleted_sender_json(user_id u) {
  return nlohmann::ordered_json{{"user_id", raw(u)}, {"display_name", deleted_display_name}, {"deleted", true}}.dump();
}

// Ends u's membership of g as part of deleting the account: when u is the group's last owner
// and others remain, the longest-standing admin (else member) becomes owner first, with a
// role_changed event, so that no group is left without an owner.
void end_membership(store::database& db, store::event_list& events, group_id g, user_id u, user_id actor, millis_t now) {
  auto mine = role_of(db, g, u);
  if (!mine) return;
  if (*mine == role::owner) {
    auto& owners = db.prepare("SELECT count(*) FROM memberships WHERE group_id = ?1 AND role = 'owner' AND user_id <> ?2")
                       .bind(1, raw(g)).bind(2, raw(u));
    owners.step();
    bool other_owner = owners.int64(0) > 0;
    owners.reset();
    if (!other_owner) {
      auto& heir = db.prepare("SELECT user_id FROM memberships WHERE group_id = ?1 AND user_id <> ?2 "
                              "ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined_at, user_id LIMIT 1")
                       .bind(1, raw(g)).bind(2, raw(u));
      std::optional<user_id> next;
      if (heir.step()) next = user_id{heir.int64(0)};
      heir.reset();
      if (next) {
        db.prepare("UPDATE memberships SET role = 'owner' WHERE group_id = ?1 AND user_id = ?2")
            .bind(1, raw(g)).bind(2, raw(*next)).exec();
        append_event(db, events, {g, event_kind::role_changed, now, actor, std::nullopt, *next,
                                  {{"user_id", raw(*next)}, {"role", "owner"}}});
      }
    }
  }
  db.prepare("DELETE FROM memberships WHERE group_id = ?1 AND user_id = ?2").bind(1, raw(g)).bind(2, raw(u)).exec();
  revoke_invites_of(db, g, u);
  append_event(db, events, {g, actor == u ? event_kind::member_left : event_kind::member_removed, now, actor,
                            std::nullopt, u, {{"user_id", raw(u)}}});
}
}  // namespace

account_code make_account_code(store::database& db, user_id u, std::string_view purpose, millis_t now) {
  account_code out;
  out.code = crypto::random_token(32);  // 256 random bits
  out.purpose = std::string(purpose);
  out.expires_at = now + (purpose == "setup" ? user_admin::setup_valid_ms : user_admin::reset_valid_ms);
  db.prepare("DELETE FROM account_codes WHERE user_id = ?1").bind(1, raw(u)).exec();
  db.prepare("INSERT INTO account_codes (code_hash, user_id, purpose, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, crypto::sha256_hex(out.code))
      .bind(2, raw(u))
      .bind(3, out.purpose)
      .bind(4, now)
      .bind(5, out.expires_at)
      .exec();
  return out;
}

user_admin::user_admin(context& ctx, service::messages& messages)
    : ctx_(ctx),
      messages_(messages),
      code_attempts_(ctx.clock, code_attempts_per_second, code_attempts_burst, ctx.config.limits.limiter_keys),
      password_attempts_(ctx.clock, ctx.config.limits.login_per_minute / 60.0, ctx.config.limits.login_per_minute,
                         ctx.config.limits.limiter_keys) {}

result<admin_user_page> user_admin::list(principal const& who, std::string_view q, int limit,
                                         std::optional<std::int64_t> after) {
  if (!who.user.is_admin) return forbidden_for_non_admins();
  if (!text::valid_utf8(q) || text::code_points(q) > max_query_chars)
    return make_error(errc::bad_request, "q must be at most 64 characters of valid UTF-8");
  if (limit < 1 || limit > max_page) return make_error(errc::bad_request, "limit must be 1–200");
  std::string needle(text::trim(q));
  return ctx_.reader.with([&](store::database& db) -> result<admin_user_page> {
    admin_user_page page;
    auto& st = db.prepare(std::string("SELECT ") + admin_user_columns +
                          " FROM users WHERE deleted_at IS NULL AND id > ?1 "
                          "AND (?2 = '' OR instr(lower(username), lower(?2)) > 0 OR instr(lower(display_name), lower(?2)) > 0) "
                          "ORDER BY id LIMIT ?3")
                   .bind(1, after.value_or(0))
                   .bind(2, needle)
                   .bind(3, limit + 1);
    while (st.step()) page.users.push_back(read_admin_user(st));
    if (static_cast<int>(page.users.size()) > limit) {
      page.users.pop_back();
      page.next_cursor = raw(page.users.back().id);
    }
    return page;
  });
}

result<created_account> user_admin::create(principal const& who, std::string_view username, std::string_view display_name,
                                           std::optional<std::string_view> password, bool is_admin) {
  if (!who.user.is_admin) return forbidden_for_non_admins();
  auto name = check_username(username);
  if (!name) return name.error();
  auto display = check_display_name(display_name.empty() ? username : display_name);
  if (!display) return display.error();
  std::string hash;  // empty: no password can match it until the setup link sets one
  if (password) {
    auto pw = check_password(*password);
    if (!pw) return pw.error();
    hash = crypto::hash_password(*pw);  // expensive: never on the writer thread
  }
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<created_account> {
    auto u = insert_user(db, *name, *display, hash, is_admin, now);
    if (!u) return u.error();
    created_account out;
    out.user = *load_admin_user(db, u->id);
    if (!password) out.setup = make_account_code(db, u->id, "setup", now);
    return out;
  });
}

result<admin_user> user_admin::update(principal const& who, user_id target, std::optional<bool> disabled,
                                      std::optional<bool> is_admin) {
  if (!who.user.is_admin) return forbidden_for_non_admins();
  std::vector<session_id> ended_sessions;
  auto r = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<admin_user> {
    auto u = load_admin_user(db, target);
    if (!u) return no_such_user();
    bool loses_admin = (disabled.value_or(false) && !u->disabled) || (is_admin && !*is_admin && u->is_admin);
    if (loses_admin && is_last_enabled_admin(db, *u)) return last_admin();
    if (is_admin)
      db.prepare("UPDATE users SET is_admin = ?2 WHERE id = ?1").bind(1, raw(target)).bind(2, *is_admin ? 1 : 0).exec();
    if (disabled) {
      db.prepare("UPDATE users SET disabled = ?2 WHERE id = ?1").bind(1, raw(target)).bind(2, *disabled ? 1 : 0).exec();
      if (*disabled) {
        ended_sessions = end_sessions_of(db, target);
        // A link made before would let them back in: it dies with the account's access.
        db.prepare("DELETE FROM account_codes WHERE user_id = ?1").bind(1, raw(target)).exec();
      }
    }
    return *load_admin_user(db, target);
  });
  if (r) ctx_.hooks.sessions_ended(ended_sessions);
  return r;
}

result<account_code> user_admin::reset_link(principal const& who, user_id target) {
  if (!who.user.is_admin) return forbidden_for_non_admins();
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<account_code> {
    auto u = load_admin_user(db, target);
    if (!u) return no_such_user();
    if (u->disabled) return make_error(errc::conflict, "this account is disabled: enable it first");
    return make_account_code(db, target, "reset", now);
  });
}

result<code_holder> user_admin::check_code(std::string_view code, std::string const& client_address) {
  if (auto r = code_attempts_.spend(client_address, "too many attempts; try again later"); !r) return r.error();
  if (code.empty() || code.size() > 256) return dead_code();
  std::string hash = crypto::sha256_hex(code);
  millis_t now = ctx_.clock.now();
  return ctx_.reader.with([&](store::database& db) -> result<code_holder> {
    auto& st = db.prepare(live_code_sql).bind(1, hash).bind(2, now);
    if (!st.step() || st.int64(5) != 0) return dead_code();
    return code_holder{st.text(3), st.text(4), st.text(1), st.int64(2)};
  });
}

result<login_result> user_admin::use_code(std::string_view code, std::string_view new_password,
                                          std::string const& client_address) {
  if (auto r = code_attempts_.spend(client_address, "too many attempts; try again later"); !r) return r.error();
  if (code.empty() || code.size() > 256) return dead_code();
  auto pw = check_password(new_password);
  if (!pw) return pw.error();
  std::string code_hash = crypto::sha256_hex(code);
  std::string password_hash = crypto::hash_password(*pw);
  millis_t now = ctx_.clock.now();
  auto days = ctx_.config.limits.session_days;
  std::vector<session_id> ended_sessions;
  auto r = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<login_result> {
    // Checked again on the writer: of two uses of one code, the second finds it spent.
    auto& st = db.prepare(live_code_sql).bind(1, code_hash).bind(2, now);
    if (!st.step() || st.int64(5) != 0) return dead_code();
    user_id u{st.int64(0)};
    st.reset();
    db.prepare("UPDATE users SET password_hash = ?2 WHERE id = ?1").bind(1, raw(u)).bind(2, password_hash).exec();
    db.prepare("DELETE FROM account_codes WHERE user_id = ?1").bind(1, raw(u)).exec();  // single use
    ended_sessions = end_sessions_of(db, u);  // every old session: the password they knew is gone
    // The answer's user carries the about line and avatar, as a login's does.
    user person = load_user(db, u).value();  // the code's row names an existing user (foreign key)
    session_id sid{};
    std::string token = create_session(db, u, now, days, &sid);
    return login_result{std::move(token), std::move(person), sid};
  });
  if (r) ctx_.hooks.sessions_ended(ended_sessions);
  return r;
}

result<void> user_admin::remove(principal const& who, user_id target, bool erase) {
  if (!who.user.is_admin) return forbidden_for_non_admins();
  return delete_account(who.user.id, target, erase);
}

result<void> user_admin::remove_self(principal const& who, std::string_view password, bool erase) {
  if (password.size() > accounts::max_password_bytes) return make_error(errc::bad_request, "password must be at most 1024 bytes");
  if (auto r = password_attempts_.spend(std::to_string(raw(who.user.id)), "too many attempts; try again later"); !r)
    return r.error();
  auto hash = ctx_.reader.with([&](store::database& db) {
    auto& st = db.prepare("SELECT password_hash FROM users WHERE id = ?1").bind(1, raw(who.user.id));
    return st.step() ? st.text(0) : std::string();
  });
  // forbidden, not unauthorized: the session is fine, and a client must not log out over a typo.
  if (!crypto::verify_password(password, hash)) return make_error(errc::forbidden, "the password is wrong");
  return delete_account(who.user.id, who.user.id, erase);
}

result<void> user_admin::delete_account(user_id actor, user_id target, bool erase) {
  millis_t now = ctx_.clock.now();
  std::vector<session_id> ended_sessions;
  // 1. One transaction: access ends (sessions, codes), memberships end, the person's data goes.
  //    A user already deleted passes through, so that repeating a delete finishes one a
  //    crash interrupted between the steps below.
  auto r = ctx_.writer.call([&](store::database& db, store::event_list& events) -> result<void> {
    auto& exists = db.prepare("SELECT deleted_at IS NOT NULL FROM users WHERE id = ?1").bind(1, raw(target));
    if (!exists.step()) return no_such_user();
    bool already = exists.int64(0) != 0;
    exists.reset();
    if (already) return {};
    auto u = load_admin_user(db, target);
    if (is_last_enabled_admin(db, *u)) return last_admin();
    ended_sessions = end_sessions_of(db, target);
    for (group_id g : groups_of(db, target)) end_membership(db, events, g, target, actor, now);
    db.prepare("DELETE FROM account_codes WHERE user_id = ?1").bind(1, raw(target)).exec();
    db.prepare("DELETE FROM avatars WHERE user_id = ?1").bind(1, raw(target)).exec();
    db.prepare("DELETE FROM blocks WHERE blocker_id = ?1 OR blocked_id = ?1").bind(1, raw(target)).exec();
    // The row stays (old messages keep a sender id). The username is freed: no valid name
    // contains '~', so the placeholder can never collide with one.
    db.prepare("UPDATE users SET username = '~deleted-' || id, display_name = ?2, password_hash = '', about = '', "
               "is_admin = 0, deleted_at = ?3 WHERE id = ?1")
        .bind(1, raw(target))
        .bind(2, deleted_display_name)
        .bind(3, now)
        .exec();
    return {};
  });
  if (!r) return r;
  ctx_.hooks.sessions_ended(ended_sessions);

  // 2. With erase, every message they sent is erased like a deleted one (in batches), and what
  //    they wrote with the community tools (kudos notes, polls, quizzes) with it.
  if (erase) {
    if (auto e = messages_.erase_all_by(target, actor); !e) return e.error();
    auto community = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
      erase_community_text(db, target);
      return {};
    });
    if (!community) return community.error();
  }

  // 3. Names: history, search and mentions read the users row, so they already say
  //    "Deleted user"; the stored message events carry the sender's name as it was, so they
  //    are rewritten once here (in batches), and every replay, /events page and export after
  //    this shows the deleted user. Rewriting once beats substituting at every read: the
  //    event text is sent as stored, without parsing, on the hottest path of the server.
  std::string sender = deleted_sender_json(target);
  std::int64_t after = 0;
  for (;;) {
    auto done = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<bool> {
      std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> batch;
      auto& st = db.prepare("SELECT id, group_id, seq FROM messages WHERE sender_id = ?1 AND id > ?2 ORDER BY id LIMIT 500")
                     .bind(1, raw(target)).bind(2, after);
      while (st.step()) batch.emplace_back(st.int64(0), st.int64(1), st.int64(2));
      st.reset();
      for (auto const& [id, g, seq] : batch) {
        db.prepare("UPDATE events SET data = json_set(data, '$.sender', json(?3)) WHERE group_id = ?1 AND seq = ?2")
            .bind(1, g).bind(2, seq).bind(3, sender).exec();
        after = id;
      }
      return batch.size() < 500;
    });
    if (!done) return done.error();
    if (*done) return {};
  }
}

}  // namespace peerchat::service
