// SPDX-License-Identifier: MIT
// Devices: listing and ending one's own sessions.
#include "peerchat/service/devices.hpp"
#include "peerchat/domain/device_label.hpp"
#include "peerchat/service/accounts.hpp"

namespace peerchat::service {

devices::devices(context& ctx, last_seen& seen) : ctx_(ctx), seen_(seen) {}

std::string devices::clean_user_agent(std::string_view ua) {
  ua = ua.substr(0, max_user_agent_bytes);
  std::string out;
  out.reserve(ua.size());
  for (char c : ua) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  // Trimmed: a header of spaces is no agent at all.
  auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

result<void> devices::record_login(session_id s, std::string_view user_agent) {
  std::string ua = clean_user_agent(user_agent);
  millis_t now = ctx_.clock.now();
  auto r = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    db.prepare("UPDATE sessions SET user_agent = ?1, last_seen_at = ?2 WHERE id = ?3").bind(1, ua).bind(2, now).bind(3, raw(s)).exec();
    db.prepare("UPDATE users SET last_seen_at = ?1 WHERE id = (SELECT user_id FROM sessions WHERE id = ?2)")
        .bind(1, now)
        .bind(2, raw(s))
        .exec();
    return {};
  });
  if (r) seen_.written(s);
  return r;
}

result<std::vector<device_session>> devices::list(principal const& who) {
  millis_t now = ctx_.clock.now();
  return ctx_.reader.with([&](store::database& db) -> result<std::vector<device_session>> {
    std::vector<device_session> out;
    auto& st = db.prepare(
                     "SELECT id, created_at, last_seen_at, user_agent FROM sessions WHERE user_id = ?1 AND expires_at > ?2 "
                     "ORDER BY created_at DESC, id DESC")
                   .bind(1, raw(who.user.id))
                   .bind(2, now);
    while (st.step()) {
      device_session d;
      d.id = session_id{st.int64(0)};
      d.created_at = st.int64(1);
      // Sessions from before devices were tracked were never marked: their creation is the
      // last sign of them the store has.
      d.last_seen_at = std::max(st.int64(2), d.created_at);
      d.user_agent = st.text(3);
      d.device = device_label(d.user_agent);
      d.current = d.id == who.session;
      out.push_back(std::move(d));
    }
    return out;
  });
}

result<void> devices::end(principal const& who, session_id s) {
  auto r = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    auto& st = db.prepare("SELECT 1 FROM sessions WHERE id = ?1 AND user_id = ?2").bind(1, raw(s)).bind(2, raw(who.user.id));
    if (!st.step()) return make_error(errc::not_found, "no such session");
    st.reset();
    end_session(db, s);
    return {};
  });
  if (r && ctx_.hooks.session_ended) ctx_.hooks.session_ended(s);
  return r;
}

result<void> devices::end_others(principal const& who) {
  auto ended = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<std::vector<session_id>> {
    return end_sessions_of(db, who.user.id, who.session);
  });
  if (!ended) return ended.error();
  ctx_.hooks.sessions_ended(*ended);
  return {};
}

}  // namespace peerchat::service
