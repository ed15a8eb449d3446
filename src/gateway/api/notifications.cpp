// SPDX-License-Identifier: MIT
// Notifications: per-group levels, quiet hours, push subscriptions, and the Mentions list.
#include "call.hpp"
#include "notifications_json.hpp"

namespace peerchat::gateway::api {

namespace {
// "HH:MM", 00:00–23:59, as minutes after midnight.
std::optional<int> parse_time_of_day(std::string const& s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

api_reply put_group_notifications(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    TRY(body, c.body());
    TRY(level_name, protocol::required_string(*body, "level"));
    auto level = service::parse_notify_level(*level_name);
    if (!level) return error_reply(errc::bad_request, "level must be all, mentions or none");
    TRY(muted_until, protocol::optional_int(*body, "muted_until"));
    TRY(s, c.a.notifications.set_notify(who, g, *level, *muted_until));
    return json_reply(200, notify_json(*s));
  });
}

api_reply put_quiet_hours(call& c) {
  TRY(who, c.auth());
  if (c.req.body.empty()) return error_reply(errc::bad_request, "a JSON body is required (an object, or null)");
  TRY(body, protocol::parse_json(c.req.body, c.a.cfg.limits.json_depth));
  std::optional<service::quiet_hours> q;
  if (!body->is_null()) {
    if (!body->is_object()) return error_reply(errc::bad_request, "the body must be an object or null");
    TRY(start, protocol::required_string(*body, "start"));
    TRY(end, protocol::required_string(*body, "end"));
    TRY(tz, protocol::required_string(*body, "tz"));
    auto from = parse_time_of_day(*start);
    auto to = parse_time_of_day(*end);
    if (!from || !to) return error_reply(errc::bad_request, "start and end must be times of day, HH:MM");
    bool allow_mentions = false;
    if (auto it = body->find("allow_mentions"); it != body->end() && !it->is_null()) {
      if (!it->is_boolean()) return error_reply(errc::bad_request, "field 'allow_mentions' must be a boolean");
      allow_mentions = it->get<bool>();
    }
    q = service::quiet_hours{*from, *to, *tz, allow_mentions};
  }
  TRY(stored, c.a.notifications.set_quiet_hours(who->user.id, q));
  return json_reply(200, quiet_hours_json(*stored));
}

api_reply post_subscription(call& c) {
  TRY(who, c.auth());
  TRY(body, c.body());
  TRY(endpoint, protocol::required_string(*body, "endpoint"));
  auto keys = body->find("keys");
  if (keys == body->end() || !keys->is_object())
    return error_reply(errc::bad_request, "field 'keys' must be an object {p256dh, auth}");
  TRY(p256dh, protocol::required_string(*keys, "p256dh"));
  TRY(auth, protocol::required_string(*keys, "auth"));
  TRY(device, protocol::optional_string(*body, "device"));
  TRY(r, c.a.notifications.subscribe(*who, {*endpoint, *p256dh, *auth, device->value_or("")}));
  return json_reply(r->created ? 201 : 200, ojson{{"id", r->id}});
}

api_reply get_subscriptions(call& c) {
  TRY(who, c.auth());
  TRY(list, c.a.notifications.subscriptions(*who));
  ojson arr = ojson::array();
  for (auto const& s : *list)
    arr.push_back({{"id", s.id}, {"endpoint", s.endpoint}, {"device", s.device}, {"created_at", s.created_at},
                   {"current", s.current}});
  return json_reply(200, ojson{{"subscriptions", std::move(arr)}});
}

api_reply delete_subscription(call& c) {
  TRY(who, c.auth());
  TRY(id, c.id_param(0));
  TRY(r, c.a.notifications.unsubscribe(*who, *id));
  return no_content();
}

api_reply get_mentions(call& c) {
  TRY(who, c.auth());
  TRY(limit, c.query_int("limit", 1, 100));
  std::optional<std::string> cursor;
  if (auto it = c.query.find("cursor"); it != c.query.end()) cursor = it->second;
  TRY(page, c.a.notifications.mentions(*who, cursor, static_cast<int>(limit->value_or(50))));
  ojson arr = ojson::array();
  for (auto const& m : page->messages) {
    ojson entry = protocol::to_json(m.message);
    entry["group_id"] = raw(m.group);
    arr.push_back(std::move(entry));
  }
  return json_reply(200, ojson{{"messages", std::move(arr)},
                               {"next_cursor", page->next_cursor ? ojson(*page->next_cursor) : ojson(nullptr)}});
}
}  // namespace

void add_notification_routes(std::vector<route>& out) {
  out.push_back({"PUT", "/groups/{}/notifications", put_group_notifications});
  out.push_back({"PUT", "/me/quiet-hours", put_quiet_hours});
  out.push_back({"POST", "/push/subscriptions", post_subscription});
  out.push_back({"GET", "/push/subscriptions", get_subscriptions});
  out.push_back({"DELETE", "/push/subscriptions/{}", delete_subscription});
  out.push_back({"GET", "/mentions", get_mentions});
}

}  // namespace peerchat::gateway::api
