// SPDX-License-Identifier: MIT
// Who hears of what: per-group notification levels and mutes, quiet hours, push
// subscriptions, and the audience of a push (contract: "Notifications").
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/ids.hpp"
#include "peerchat/domain/message.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::service {

enum class notify_level { all, mentions, none };

struct notify_setting {
  notify_level level = notify_level::all;
  std::optional<millis_t> muted_until;
};

std::string_view to_string(notify_level l) noexcept;
std::optional<notify_level> parse_notify_level(std::string_view s) noexcept;

struct quiet_hours {
  int start_minute = 0;   // minutes after local midnight, 0–1439
  int end_minute = 0;     // may be before start (22:00–07:00 spans midnight)
  std::string tz;         // IANA time zone, e.g. "Europe/Berlin"
  bool allow_mentions = false;
};

// A browser's PushSubscription, as the server keeps it.
struct push_subscription {
  std::int64_t id = 0;
  user_id user{};
  std::string endpoint;  // https:// URL of the browser vendor's push service
  std::string p256dh;    // base64url, the browser's uncompressed P-256 public key (65 bytes)
  std::string auth;      // base64url, 16 bytes
};

// One member who should hear of an event, with every subscription of theirs.
struct push_recipient {
  user_id user{};
  bool mention = false;  // mentioned by name or @all, or the message is a question
  std::vector<push_subscription> subscriptions;
};

struct push_audience {
  std::string group_name;
  std::vector<push_recipient> recipients;  // only members with at least one subscription
};

// A subscription as its owner lists it (GET /push/subscriptions); keys are not shown.
struct subscription_info {
  std::int64_t id = 0;
  std::string endpoint;
  std::string device;
  millis_t created_at = 0;  // when it was last registered
  bool current = false;     // registered by the session asking
};

struct subscribe_input {
  std::string endpoint;
  std::string p256dh;
  std::string auth;
  std::string device;  // optional label ("Firefox on Android"), at most 100 characters
};

struct subscribe_result {
  std::int64_t id = 0;
  bool created = false;  // false: the endpoint was known and is now updated
};

struct mentioned_message {
  group_id group{};
  message_view message;
};

struct mentions_page {
  std::vector<mentioned_message> messages;  // newest first
  std::optional<std::string> next_cursor;   // opaque; none on the last page
};

// Whether a member with setting `s` and quiet hours `q` hears of a message at `now`
// (`mention`: they are mentioned, or it is a question). Pure: unit-tested.
bool hears_of(notify_setting const& s, std::optional<quiet_hours> const& q, bool mention, millis_t now);

// Thread safety: all methods from any worker thread (they block on the store).
class notifications {
 public:
  explicit notifications(context& ctx);

  // The audience of a new message at `now`: every member but the sender whose level, mute and
  // quiet hours let it through (`mentions` level: only if in `mentioned`, or `question`).
  // Focus is not known here; the dispatcher filters it out.
  result<push_audience> message_audience(group_id g, seq_t seq, user_id sender, std::vector<user_id> const& mentioned,
                                         bool question, millis_t now);
  // The audience of the silent push that removes a deleted message's notification: whoever
  // the message at `target_seq` would have been pushed to (levels and mentions as stored).
  result<push_audience> deletion_audience(group_id g, seq_t target_seq, millis_t now);

  // Whether any member of `g` has a push subscription: one indexed probe per member. When
  // none has, the dispatcher plans nothing for the group's events (in a group without phones
  // planning was a tenth of the server's CPU per message, issue 15).
  bool any_member_subscribed(group_id g);

  // A push service answered 404/410: the subscription is gone for good.
  void subscription_gone(std::int64_t subscription_id);
  std::int64_t subscription_count();

  // PUT /groups/{id}/notifications: members only (not_found otherwise).
  result<notify_setting> set_notify(principal const& who, group_id g, notify_level level,
                                    std::optional<millis_t> muted_until);
  // PUT /me/quiet-hours (nullopt clears); bad_request for an unknown zone or a bad window.
  result<std::optional<quiet_hours>> set_quiet_hours(user_id u, std::optional<quiet_hours> q);
  result<std::optional<quiet_hours>> get_quiet_hours(user_id u);

  // POST /push/subscriptions: validated (service/push_endpoint.hpp); bound to the caller's
  // session. A known endpoint is re-bound to the caller and this session and updated.
  // Each user keeps at most max_subscriptions; a new one beyond replaces the oldest.
  result<subscribe_result> subscribe(principal const& who, subscribe_input in);
  result<std::vector<subscription_info>> subscriptions(principal const& who);
  // Someone else's (or no) subscription: not_found.
  result<void> unsubscribe(principal const& who, std::int64_t id);

  // GET /mentions: messages of the caller's current groups that mention them, newest first,
  // in their current state; deleted ones left out. limit 1–100; bad cursor → bad_request.
  result<mentions_page> mentions(principal const& who, std::optional<std::string> const& cursor, int limit);

  static constexpr std::int64_t max_subscriptions = 20;

 private:
  context& ctx_;
};

}  // namespace peerchat::service
