// SPDX-License-Identifier: MIT
// Accounts and sessions.
#include "peerchat/service/accounts.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/service/profiles.hpp"
#include "peerchat/service/validation.hpp"

namespace peerchat::service {

namespace {
constexpr char insert_user_sql[] =
    "INSERT INTO users (username, display_name, password_hash, is_admin, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char insert_session_sql[] =
    "INSERT INTO sessions (user_id, token_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";
constexpr char user_by_name_sql[] =
    "SELECT id, username, display_name, is_admin, password_hash FROM users WHERE username = ?1";
constexpr char session_sql[] =
    "SELECT s.id, u.id, u.username, u.display_name, u.is_admin FROM sessions s "
    "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1 AND s.expires_at > ?2";
constexpr char delete_session_sql[] = "DELETE FROM sessions WHERE id = ?1";

error unauthorized() { return make_error(errc::unauthorized, "invalid username or password"); }
}  // namespace

std::string create_session(store::database& db, user_id u, millis_t now, std::int64_t days, session_id* created) {
  std::string token = crypto::random_token(32);  // 256 bits
  db.prepare(insert_session_sql)
      .bind(1, raw(u))
      .bind(2, crypto::sha256_hex(token))
      .bind(3, now)
      .bind(4, now + days * 86'400'000)
      .exec();
  if (created) *created = session_id{db.last_insert_rowid()};
  return token;
}

void end_session(store::database& db, session_id s) {
  // The foreign key would cascade too; said here so the rule is visible where sessions end.
  db.prepare("DELETE FROM push_subscriptions WHERE session_id = ?1").bind(1, raw(s)).exec();
  db.prepare(delete_session_sql).bind(1, raw(s)).exec();
}

std::vector<session_id> end_sessions_of(store::database& db, user_id u, std::optional<session_id> keep) {
  std::vector<session_id> ended;
  auto& st = db.prepare("SELECT id FROM sessions WHERE user_id = ?1").bind(1, raw(u));
  while (st.step())
    if (session_id s{st.int64(0)}; s != keep) ended.push_back(s);
  for (session_id s : ended) end_session(db, s);
  return ended;
}

result<user> insert_user(store::database& db, std::string const& username, std::string const& display_name,
                         std::string const& password_hash, bool is_admin, millis_t now) {
  auto& exists = db.prepare("SELECT 1 FROM users WHERE username = ?1").bind(1, username);
  if (exists.step()) return make_error(errc::conflict, "that username is taken");
  db.prepare(insert_user_sql)
      .bind(1, username)
      .bind(2, display_name)
      .bind(3, password_hash)
      .bind(4, is_admin ? 1 : 0)
      .bind(5, now)
      .exec();
  return user{user_id{db.last_insert_rowid()}, username, display_name, is_admin, {}, 0};
}

accounts::accounts(context& ctx)
    : ctx_(ctx),
      limits_(ctx.clock, ctx.config.limits),
      dummy_hash_(crypto::hash_password("not a real password, only for timing")),
      seen_(ctx.writer, ctx.clock) {}

result<user> accounts::create_user(std::string_view username, std::string_view display_name,
                                   std::string_view password, bool is_admin) {
  auto name = check_username(username);
  if (!name) return name.error();
  auto display = check_display_name(display_name.empty() ? username : display_name);
  if (!display) return display.error();
  auto pw = check_password(password);
  if (!pw) return pw.error();
  std::string hash = crypto::hash_password(*pw);  // expensive: never on the writer thread
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list&) {
    return insert_user(db, *name, *display, hash, is_admin, now);
  });
}

result<login_result> accounts::login(std::string_view username, std::string_view password,
                                     std::string const& client_address) {
  // Lengths first: nothing of an oversized request is kept, not even as a limiter key.
  // (Too short is only a wrong password: 401 as before.)
  if (username.size() > max_username_bytes) return make_error(errc::bad_request, "username must be at most 32 characters");
  if (password.size() > max_password_bytes) return make_error(errc::bad_request, "password must be at most 1024 bytes");
  if (auto admitted = limits_.admit(username, client_address); !admitted) return admitted.error();
  struct row {
    user u;
    std::string hash;
  };
  auto found = ctx_.reader.with([&](store::database& db) -> std::optional<row> {
    auto& st = db.prepare(user_by_name_sql).bind(1, username);
    if (!st.step()) return std::nullopt;
    row found{user{user_id{st.int64(0)}, st.text(1), st.text(2), st.int64(3) != 0, {}, 0}, st.text(4)};
    load_profile(db, found.u);
    return found;
  });
  if (!found) {
    crypto::verify_password(password, dummy_hash_);
    return unauthorized();
  }
  if (!crypto::verify_password(password, found->hash)) return unauthorized();

  millis_t now = ctx_.clock.now();
  auto days = ctx_.config.limits.session_days;
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<login_result> {
    session_id sid{};
    std::string token = create_session(db, found->u.id, now, days, &sid);
    return login_result{std::move(token), found->u, sid};
  });
}

result<principal> accounts::authenticate(std::string_view token) {
  if (token.empty() || token.size() > 256) return make_error(errc::unauthorized, "authentication required");
  std::string hash = crypto::sha256_hex(token);
  millis_t now = ctx_.clock.now();
  auto found = ctx_.reader.with([&](store::database& db) -> std::optional<principal> {
    auto& st = db.prepare(session_sql).bind(1, hash).bind(2, now);
    if (!st.step()) return std::nullopt;
    principal who{user{user_id{st.int64(1)}, st.text(2), st.text(3), st.int64(4) != 0, {}, 0}, session_id{st.int64(0)}};
    load_profile(db, who.user);
    return who;
  });
  if (!found) return make_error(errc::unauthorized, "authentication required");
  seen_.touch(found->user.id, found->session);
  return *found;
}

result<void> accounts::logout(principal const& who) {
  auto r = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    end_session(db, who.session);
    return {};
  });
  if (r && ctx_.hooks.session_ended) ctx_.hooks.session_ended(who.session);
  return r;
}

}  // namespace peerchat::service
