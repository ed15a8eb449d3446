// SPDX-License-Identifier: MIT
// JSON of notification settings, shared by api/notifications.cpp and GET /me.
#pragma once
#include "peerchat/protocol/wire.hpp"
#include "peerchat/service/notifications.hpp"
#include <cstdio>

namespace peerchat::gateway::api {

// {level, muted_until}
inline protocol::ojson notify_json(service::notify_setting const& s) {
  return {{"level", service::to_string(s.level)},
          {"muted_until", s.muted_until ? protocol::ojson(*s.muted_until) : protocol::ojson(nullptr)}};
}

// {start:"HH:MM", end:"HH:MM", tz, allow_mentions}, or null
inline protocol::ojson quiet_hours_json(std::optional<service::quiet_hours> const& q) {
  if (!q) return nullptr;
  auto hhmm = [](int minutes) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
    return std::string(buf);
  };
  return {{"start", hhmm(q->start_minute)}, {"end", hhmm(q->end_minute)}, {"tz", q->tz},
          {"allow_mentions", q->allow_mentions}};
}

}  // namespace peerchat::gateway::api
