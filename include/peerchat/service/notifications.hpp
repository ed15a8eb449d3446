// SPDX-License-Identifier: MIT
// Who hears of what: per-group notification levels and mutes, quiet hours, push
// subscriptions, and the audience of a push (contract: "Notifications").
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/ids.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::service {

enum class notify_level { all, mentions, none };

struct notify_setting {
  notify_level level = notify_level::all;
  std::optional<millis_t> muted_until;
};

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

  // A push service answered 404/410: the subscription is gone for good.
  void subscription_gone(std::int64_t subscription_id);
  std::int64_t subscription_count();
};

}  // namespace peerchat::service
