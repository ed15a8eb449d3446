// SPDX-License-Identifier: MIT
// Changing one's own password.
#include "peerchat/service/passwords.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/validation.hpp"
#include <optional>

namespace peerchat::service {

passwords::passwords(context& ctx) : ctx_(ctx), limits_(ctx.clock, ctx.config.limits) {}

result<void> passwords::change(principal const& who, std::string_view current, std::string_view next,
                               std::string const& client_address) {
  // Bad input first: it costs neither a hash nor an attempt.
  if (current.empty()) return make_error(errc::bad_request, "current_password is required");
  if (current.size() > accounts::max_password_bytes)
    return make_error(errc::bad_request, "current_password must be at most 1024 bytes");
  auto fresh = check_password(next);
  if (!fresh) return fresh.error();
  if (auto admitted = limits_.admit(who.user.username, client_address); !admitted) return admitted.error();

  auto stored = ctx_.reader.with([&](store::database& db) -> std::optional<std::string> {
    auto& st = db.prepare("SELECT password_hash FROM users WHERE id = ?1").bind(1, raw(who.user.id));
    if (!st.step()) return std::nullopt;
    return st.text(0);
  });
  if (!stored) return make_error(errc::unauthorized, "authentication required");
  if (!crypto::verify_password(current, *stored)) return make_error(errc::forbidden, "the current password is wrong");

  std::string hash = crypto::hash_password(*fresh);  // expensive: never on the writer thread
  auto ended = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<std::vector<session_id>> {
    // The calling session may have ended meanwhile (another device ended it): then nothing.
    auto& alive = db.prepare("SELECT 1 FROM sessions WHERE id = ?1").bind(1, raw(who.session));
    if (!alive.step()) return make_error(errc::unauthorized, "authentication required");
    alive.reset();
    db.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2").bind(1, hash).bind(2, raw(who.user.id)).exec();
    return end_sessions_of(db, who.user.id, who.session);
  });
  if (!ended) return ended.error();
  ctx_.hooks.sessions_ended(*ended);
  return {};
}

}  // namespace peerchat::service
