// SPDX-License-Identifier: MIT
// Throttled "last seen" writes.
#include "peerchat/service/last_seen.hpp"
#include <iterator>

namespace peerchat::service {

last_seen::last_seen(store::writer& writer, clock const& clk, millis_t interval)
    : writer_(writer), clock_(clk), interval_(interval) {}

bool last_seen::touch(user_id u, session_id s) {
  millis_t now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    auto it = written_at_.find(raw(s));
    if (it != written_at_.end() && now - it->second < interval_) return false;
    if (it == written_at_.end() && written_at_.size() >= max_remembered) {
      for (auto i = written_at_.begin(); i != written_at_.end();)
        i = now - i->second >= interval_ ? written_at_.erase(i) : std::next(i);
      if (written_at_.size() >= max_remembered) written_at_.clear();  // only costs a few early writes
    }
    written_at_[raw(s)] = now;
  }
  // Fire and forget: the request does not wait; a full queue just skips this one.
  return writer_.post(
      [u, s, now](store::database& db, store::event_list&) {
        db.prepare("UPDATE sessions SET last_seen_at = ?1 WHERE id = ?2 AND last_seen_at < ?1").bind(1, now).bind(2, raw(s)).exec();
        db.prepare("UPDATE users SET last_seen_at = ?1 WHERE id = ?2 AND (last_seen_at IS NULL OR last_seen_at < ?1)")
            .bind(1, now)
            .bind(2, raw(u))
            .exec();
      },
      [](bool) {});
}

void last_seen::written(session_id s) {
  millis_t now = clock_.now();
  std::lock_guard lock(mutex_);
  if (written_at_.size() < max_remembered) written_at_[raw(s)] = now;
}

}  // namespace peerchat::service
