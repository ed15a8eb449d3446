// SPDX-License-Identifier: MIT
// The first-run setup link.
#include "peerchat/service/first_run.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/service/validation.hpp"

namespace peerchat::service {

namespace {
constexpr char admin_count_sql[] = "SELECT count(*) FROM users WHERE is_admin = 1";

bool has_admin(store::database& db) {
  auto& st = db.prepare(admin_count_sql);
  st.step();
  return st.int64(0) > 0;
}

error dead_link() { return make_error(errc::not_found, "this setup link is unknown, used or expired"); }
}  // namespace

std::optional<std::string> first_run::begin() {
  if (ctx_.reader.with([](store::database& db) { return has_admin(db); })) return std::nullopt;
  std::string code = crypto::random_token(24);
  std::lock_guard lock(mutex_);
  code_hash_ = crypto::sha256_hex(code);
  expires_at_ = ctx_.clock.now() + valid_for_ms;
  return code;
}

bool first_run::live(std::string_view code, millis_t now) const {
  // Comparing hashes keeps the comparison's timing independent of the secret's bytes.
  return !code_hash_.empty() && now < expires_at_ && crypto::sha256_hex(code) == code_hash_;
}

result<millis_t> first_run::check(std::string_view code) {
  std::lock_guard lock(mutex_);
  if (!live(code, ctx_.clock.now())) return dead_link();
  return expires_at_;
}

result<login_result> first_run::complete(std::string_view code, std::string_view username,
                                         std::string_view display_name, std::string_view password) {
  if (auto c = check(code); !c) return c.error();
  auto name = check_username(username);
  if (!name) return name.error();
  auto display = check_display_name(display_name);
  if (!display) return display.error();
  auto pw = check_password(password);
  if (!pw) return pw.error();
  std::string hash = crypto::hash_password(*pw);
  millis_t now = ctx_.clock.now();
  auto days = ctx_.config.limits.session_days;
  std::lock_guard lock(mutex_);  // one completion at a time; the second finds the code spent
  if (!live(code, now)) return dead_link();
  auto r = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<login_result> {
    if (has_admin(db)) return dead_link();  // an admin was made another way meanwhile
    auto u = insert_user(db, *name, *display, hash, true, now);
    if (!u) return u.error();
    session_id sid{};
    std::string token = create_session(db, u->id, now, days, &sid);
    return login_result{std::move(token), *u, sid};
  });
  if (r || r.error().code == errc::not_found) code_hash_.clear();
  return r;
}

}  // namespace peerchat::service
