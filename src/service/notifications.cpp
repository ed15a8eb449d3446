// SPDX-License-Identifier: MIT
// Notification levels, quiet hours, push subscriptions, mentions, and who hears of what.
#include "peerchat/service/notifications.hpp"
#include "peerchat/core/text.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/mention_store.hpp"
#include "peerchat/service/push_endpoint.hpp"
#include "peerchat/service/quiet_hours_clock.hpp"
#include <algorithm>
#include <charconv>
#include <tuple>

namespace peerchat::service {

namespace {
// Members but the sender, with their level, mute and quiet hours, who have at least one
// subscription of a session that has not expired.
constexpr char candidates_sql[] =
    "SELECT ms.user_id, ms.notify_level, ms.muted_until, q.start_minute, q.end_minute, q.tz, q.allow_mentions "
    "FROM memberships ms LEFT JOIN quiet_hours q ON q.user_id = ms.user_id "
    "WHERE ms.group_id = ?1 AND ms.user_id <> ?2 AND EXISTS (SELECT 1 FROM push_subscriptions p "
    "  JOIN sessions s ON s.id = p.session_id WHERE p.user_id = ms.user_id AND s.expires_at > ?3) "
    "ORDER BY ms.user_id";
// Every live subscription of the group's members but the sender, in one query (not one per member).
constexpr char subscriptions_of_members_sql[] =
    "SELECT p.user_id, p.id, p.endpoint, p.p256dh, p.auth FROM push_subscriptions p "
    "JOIN sessions s ON s.id = p.session_id "
    "JOIN memberships ms ON ms.group_id = ?1 AND ms.user_id = p.user_id "
    "WHERE p.user_id <> ?2 AND s.expires_at > ?3 ORDER BY p.user_id, p.id";
constexpr char message_sender_sql[] = "SELECT sender_id FROM messages WHERE group_id = ?1 AND seq = ?2";
constexpr char mentions_sql[] =
    "SELECT x.group_id, x.seq, x.ts, m.id, m.sender_id, u.display_name, m.body, m.client_msg_id, m.reply_to, "
    "  m.edited_at, u.deleted_at IS NOT NULL "
    "FROM mentions x JOIN memberships ms ON ms.group_id = x.group_id AND ms.user_id = x.user_id "
    "JOIN messages m ON m.group_id = x.group_id AND m.seq = x.seq JOIN users u ON u.id = m.sender_id "
    "WHERE x.user_id = ?1 AND m.deleted = 0 AND (x.ts, x.group_id, x.seq) < (?2, ?3, ?4) "
    "ORDER BY x.ts DESC, x.group_id DESC, x.seq DESC LIMIT ?5";
constexpr char reactions_of_sql[] =
    "SELECT emoji, user_id FROM reactions WHERE group_id = ?1 AND message_seq = ?2 ORDER BY created_at, user_id";

error bad(std::string msg) { return make_error(errc::bad_request, std::move(msg)); }

// The name a push shows for a group, and whether it is a direct conversation. A direct
// conversation has no name: the recipient (the only other member) sees the sender's.
struct push_group {
  std::string name;
  bool direct = false;
};
std::optional<push_group> push_group_of(store::database& db, group_id g, user_id sender) {
  auto& st = db.prepare("SELECT g.name, g.kind = 'direct', u.display_name FROM groups g "
                        "LEFT JOIN users u ON u.id = ?2 WHERE g.id = ?1")
                 .bind(1, raw(g))
                 .bind(2, raw(sender));
  if (!st.step()) return std::nullopt;
  push_group out{st.text(0), st.int64(1) != 0};
  if (out.direct && !st.is_null(2)) out.name = st.text(2);
  st.reset();
  return out;
}

// Cursor of GET /mentions: "<ts>.<group_id>.<seq>" of the last entry of the page. Clients
// treat it as opaque (the contract says so); it is only parsed here.
std::string make_cursor(millis_t ts, group_id g, seq_t seq) {
  return std::to_string(ts) + "." + std::to_string(raw(g)) + "." + std::to_string(seq);
}

std::optional<std::tuple<std::int64_t, std::int64_t, std::int64_t>> parse_cursor(std::string_view c) {
  std::int64_t v[3];
  char const* p = c.data();
  char const* end = c.data() + c.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, v[i]);
    if (ec != std::errc() || v[i] < 0) return std::nullopt;
    p = next;
    if (i < 2) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return std::tuple{v[0], v[1], v[2]};
}

// The audience, given whom the message mentions; `respect_quiet`: mutes and quiet hours
// apply (a new message), or not (the silent removal of a deleted message's notification).
push_audience audience(store::database& db, std::string name, group_id g, user_id sender,
                       std::vector<user_id> const& mentioned, bool question, millis_t now, bool respect_quiet) {
  push_audience out{std::move(name), {}};
  std::vector<push_recipient> chosen;
  auto& st = db.prepare(candidates_sql).bind(1, raw(g)).bind(2, raw(sender)).bind(3, now);
  while (st.step()) {
    user_id u{st.int64(0)};
    notify_setting s{parse_notify_level(st.text_view(1)).value_or(notify_level::all), std::nullopt};
    if (!st.is_null(2)) s.muted_until = st.int64(2);
    std::optional<quiet_hours> q;
    if (!st.is_null(3))
      q = quiet_hours{static_cast<int>(st.int64(3)), static_cast<int>(st.int64(4)), st.text(5), st.int64(6) != 0};
    bool mention = question || std::find(mentioned.begin(), mentioned.end(), u) != mentioned.end();
    if (!respect_quiet) {
      s.muted_until.reset();
      q.reset();
    }
    if (hears_of(s, q, mention, now)) chosen.push_back(push_recipient{u, mention, {}});
  }
  if (chosen.empty()) return out;
  // Both lists are ordered by user id: walk them together.
  auto next = chosen.begin();
  auto& subs = db.prepare(subscriptions_of_members_sql).bind(1, raw(g)).bind(2, raw(sender)).bind(3, now);
  while (subs.step()) {
    user_id u{subs.int64(0)};
    while (next != chosen.end() && raw(next->user) < raw(u)) ++next;
    if (next == chosen.end()) break;
    if (next->user != u) continue;  // a member who does not hear of this one
    next->subscriptions.push_back(push_subscription{subs.int64(1), u, subs.text(2), subs.text(3), subs.text(4)});
  }
  subs.reset();
  for (auto& r : chosen)
    if (!r.subscriptions.empty()) out.recipients.push_back(std::move(r));
  return out;
}
}  // namespace

std::string_view to_string(notify_level l) noexcept {
  switch (l) {
    case notify_level::all: return "all";
    case notify_level::mentions: return "mentions";
    case notify_level::none: return "none";
  }
  return "all";
}

std::optional<notify_level> parse_notify_level(std::string_view s) noexcept {
  if (s == "all") return notify_level::all;
  if (s == "mentions") return notify_level::mentions;
  if (s == "none") return notify_level::none;
  return std::nullopt;
}

bool hears_of(notify_setting const& s, std::optional<quiet_hours> const& q, bool mention, millis_t now) {
  if (s.level == notify_level::none) return false;
  if (s.level == notify_level::mentions && !mention) return false;
  if (s.muted_until && *s.muted_until > now) return false;
  if (q && in_quiet_hours(*q, now) && !(q->allow_mentions && mention)) return false;
  return true;
}

notifications::notifications(context& ctx) : ctx_(ctx) {}

result<push_audience> notifications::message_audience(group_id g, seq_t seq, user_id sender,
                                                      std::vector<user_id> const& mentioned, bool question,
                                                      millis_t now) {
  return ctx_.reader.with([&](store::database& db) -> result<push_audience> {
    auto pg = push_group_of(db, g, sender);
    if (!pg) return make_error(errc::not_found, "no such group");
    // A direct message is addressed to its recipient: it counts as a mention (level
    // `mentions` lets it through, and so do quiet hours that allow mentions).
    return audience(db, std::move(pg->name), g, sender, mentioned, question || pg->direct, now, true);
  });
}

result<push_audience> notifications::deletion_audience(group_id g, seq_t target_seq, millis_t now) {
  return ctx_.reader.with([&](store::database& db) -> result<push_audience> {
    auto& st = db.prepare(message_sender_sql).bind(1, raw(g)).bind(2, target_seq);
    if (!st.step()) return make_error(errc::not_found, "no such message");
    user_id sender{st.int64(0)};
    st.reset();
    auto pg = push_group_of(db, g, sender);
    if (!pg) return make_error(errc::not_found, "no such group");
    std::vector<user_id> mentioned;
    for (auto u : stored_mentions(db, g, target_seq)) mentioned.push_back(user_id{u});
    // A silent push only removes a notification: mutes and quiet hours do not hold it back
    // (whoever was pushed before a mute began still has the notification to remove).
    return audience(db, std::move(pg->name), g, sender, mentioned, pg->direct, now, false);
  });
}

void notifications::subscription_gone(std::int64_t subscription_id) {
  // Best effort: when the writer is busy the next 404/410 for it comes back here.
  ctx_.writer.post(
      [subscription_id](store::database& db, store::event_list&) {
        db.prepare("DELETE FROM push_subscriptions WHERE id = ?1").bind(1, subscription_id).exec();
      },
      [](bool) {});
}

bool notifications::any_member_subscribed(group_id g) {
  return ctx_.reader.with([&](store::database& db) {
    auto& st = db.prepare("SELECT EXISTS (SELECT 1 FROM memberships m JOIN push_subscriptions s ON s.user_id = m.user_id "
                          "WHERE m.group_id = ?1)")
                   .bind(1, raw(g));
    bool any = st.step() && st.int64(0) != 0;
    st.reset();
    return any;
  });
}

std::int64_t notifications::subscription_count() {
  try {
    return ctx_.reader.with([](store::database& db) {
      auto& st = db.prepare("SELECT count(*) FROM push_subscriptions");
      st.step();
      auto n = st.int64(0);
      st.reset();
      return n;
    });
  } catch (std::exception const&) {
    return 0;
  }
}

result<notify_setting> notifications::set_notify(principal const& who, group_id g, notify_level level,
                                                 std::optional<millis_t> muted_until) {
  if (muted_until && *muted_until < 0) return bad("muted_until must be a time in ms since the epoch, or null");
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<notify_setting> {
    if (auto r = require_member(db, g, who.user.id); !r) return r.error();
    db.prepare("UPDATE memberships SET notify_level = ?3, muted_until = ?4 WHERE group_id = ?1 AND user_id = ?2")
        .bind(1, raw(g))
        .bind(2, raw(who.user.id))
        .bind(3, to_string(level))
        .bind(4, muted_until)
        .exec();
    return notify_setting{level, muted_until};
  });
}

result<std::optional<quiet_hours>> notifications::set_quiet_hours(user_id u, std::optional<quiet_hours> q) {
  if (q) {
    if (q->start_minute < 0 || q->start_minute > 1439 || q->end_minute < 0 || q->end_minute > 1439)
      return bad("start and end must be times of day, HH:MM");
    if (q->start_minute == q->end_minute) return bad("start and end must differ");
    if (!known_time_zone(q->tz)) return bad("tz must be an IANA time zone such as Europe/Berlin");
  }
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<std::optional<quiet_hours>> {
    if (!q) {
      db.prepare("DELETE FROM quiet_hours WHERE user_id = ?1").bind(1, raw(u)).exec();
      return std::optional<quiet_hours>{};
    }
    db.prepare("INSERT INTO quiet_hours (user_id, start_minute, end_minute, tz, allow_mentions) "
               "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id) DO UPDATE SET start_minute = ?2, "
               "end_minute = ?3, tz = ?4, allow_mentions = ?5")
        .bind(1, raw(u))
        .bind(2, q->start_minute)
        .bind(3, q->end_minute)
        .bind(4, q->tz)
        .bind(5, q->allow_mentions ? 1 : 0)
        .exec();
    return q;
  });
}

result<std::optional<quiet_hours>> notifications::get_quiet_hours(user_id u) {
  return ctx_.reader.with([&](store::database& db) -> result<std::optional<quiet_hours>> {
    auto& st = db.prepare("SELECT start_minute, end_minute, tz, allow_mentions FROM quiet_hours WHERE user_id = ?1")
                   .bind(1, raw(u));
    if (!st.step()) return std::optional<quiet_hours>{};
    quiet_hours q{static_cast<int>(st.int64(0)), static_cast<int>(st.int64(1)), st.text(2), st.int64(3) != 0};
    st.reset();
    return std::optional<quiet_hours>{std::move(q)};
  });
}

result<subscribe_result> notifications::subscribe(principal const& who, subscribe_input in) {
  if (auto r = check_push_endpoint(in.endpoint, ctx_.config.push.allow_loopback); !r) return r.error();
  auto p256dh = check_p256dh(in.p256dh);
  if (!p256dh) return p256dh.error();
  auto auth = check_push_auth(in.auth);
  if (!auth) return auth.error();
  if (!text::valid_utf8(in.device) || text::code_points(in.device) > 100)
    return bad("device must be at most 100 characters");
  for (unsigned char c : in.device)
    if (c < 0x20 || c == 0x7f) return bad("device must not contain control characters");
  millis_t now = ctx_.clock.now();
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<subscribe_result> {
    subscribe_result out;
    auto& known = db.prepare("SELECT id FROM push_subscriptions WHERE endpoint = ?1").bind(1, in.endpoint);
    if (known.step()) {
      out.id = known.int64(0);
      known.reset();
      // The browser registered again (after a new login, or a key rotation): it now
      // belongs to whoever is logged in there, with this session.
      db.prepare("UPDATE push_subscriptions SET user_id = ?2, session_id = ?3, p256dh = ?4, auth = ?5, device = ?6, "
                 "created_at = ?7 WHERE id = ?1")
          .bind(1, out.id).bind(2, raw(who.user.id)).bind(3, raw(who.session)).bind(4, *p256dh).bind(5, *auth)
          .bind(6, in.device).bind(7, now)
          .exec();
    } else {
      db.prepare("INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth, device, created_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
          .bind(1, raw(who.user.id)).bind(2, raw(who.session)).bind(3, in.endpoint).bind(4, *p256dh).bind(5, *auth)
          .bind(6, in.device).bind(7, now)
          .exec();
      out.id = db.last_insert_rowid();
      out.created = true;
    }
    // Bounded per user: the oldest registrations beyond the cap go (browsers long gone).
    db.prepare("DELETE FROM push_subscriptions WHERE user_id = ?1 AND id NOT IN (SELECT id FROM push_subscriptions "
               "WHERE user_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2)")
        .bind(1, raw(who.user.id)).bind(2, max_subscriptions)
        .exec();
    return out;
  });
}

result<std::vector<subscription_info>> notifications::subscriptions(principal const& who) {
  return ctx_.reader.with([&](store::database& db) -> result<std::vector<subscription_info>> {
    std::vector<subscription_info> out;
    auto& st = db.prepare("SELECT id, endpoint, device, created_at, session_id FROM push_subscriptions "
                          "WHERE user_id = ?1 ORDER BY created_at, id")
                   .bind(1, raw(who.user.id));
    while (st.step())
      out.push_back({st.int64(0), st.text(1), st.text(2), st.int64(3), st.int64(4) == raw(who.session)});
    return out;
  });
}

result<void> notifications::unsubscribe(principal const& who, std::int64_t id) {
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    db.prepare("DELETE FROM push_subscriptions WHERE id = ?1 AND user_id = ?2").bind(1, id).bind(2, raw(who.user.id)).exec();
    if (db.changes() == 0) return make_error(errc::not_found, "no such subscription");
    return {};
  });
}

result<mentions_page> notifications::mentions(principal const& who, std::optional<std::string> const& cursor, int limit) {
  if (limit < 1 || limit > 100) return bad("limit must be 1–100");
  std::tuple<std::int64_t, std::int64_t, std::int64_t> after{INT64_MAX, INT64_MAX, INT64_MAX};
  if (cursor && !cursor->empty()) {
    auto c = parse_cursor(*cursor);
    if (!c) return bad("cursor is not one this server gave out");
    after = *c;
  }
  return ctx_.reader.with([&](store::database& db) -> result<mentions_page> {
    mentions_page page;
    std::vector<millis_t> stamps;
    auto& st = db.prepare(mentions_sql)
                   .bind(1, raw(who.user.id))
                   .bind(2, std::get<0>(after))
                   .bind(3, std::get<1>(after))
                   .bind(4, std::get<2>(after))
                   .bind(5, limit + 1);
    while (st.step()) {
      mentioned_message mm;
      mm.group = group_id{st.int64(0)};
      auto& m = mm.message;
      m.seq = st.int64(1);
      stamps.push_back(st.int64(2));
      m.id = st.int64(3);
      m.sender = user_id{st.int64(4)};
      m.sender_display_name = st.text(5);
      m.ts = st.int64(2);
      if (!st.is_null(6)) m.body = st.text(6);
      m.client_msg_id = st.text(7);
      if (!st.is_null(8)) m.reply_to = st.int64(8);
      if (!st.is_null(9)) m.edited_at = st.int64(9);
      m.sender_deleted = st.int64(10) != 0;
      page.messages.push_back(std::move(mm));
    }
    if (page.messages.size() > static_cast<std::size_t>(limit)) {
      page.messages.pop_back();
      auto const& last = page.messages.back();
      page.next_cursor = make_cursor(stamps[page.messages.size() - 1], last.group, last.message.seq);
    }
    for (auto& mm : page.messages) {
      mm.message.mentions = stored_mentions(db, mm.group, mm.message.seq);
      auto& rs = db.prepare(reactions_of_sql).bind(1, raw(mm.group)).bind(2, mm.message.seq);
      while (rs.step()) mm.message.reactions[rs.text(0)].push_back(rs.int64(1));
    }
    return page;
  });
}

}  // namespace peerchat::service
