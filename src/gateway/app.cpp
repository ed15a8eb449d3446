// SPDX-License-Identifier: MIT
// Building the shared parts: configuration, store and services.
#include "app.hpp"
#include <spdlog/spdlog.h>

namespace peerchat::gateway {

app::app(config c)
    : cfg(std::move(c)),
      public_url(cfg.effective_public_url()),
      public_origin(cfg.public_origin()),
      backend(cfg, clock),
      connections(std::make_shared<connection_limits>(cfg.limits.max_connections,
                                                      cfg.limits.max_connections_per_address)) {
  push::sources src;
  src.message_audience = [this](group_id g, seq_t seq, user_id sender, std::vector<user_id> const& mentioned,
                                bool question) {
    return notifications.message_audience(g, seq, sender, mentioned, question, clock.now());
  };
  src.deletion_audience = [this](group_id g, seq_t target) {
    return notifications.deletion_audience(g, target, clock.now());
  };
  src.any_member_subscribed = [this](group_id g) { return notifications.any_member_subscribed(g); };
  src.subscription_gone = [this](std::int64_t id) { notifications.subscription_gone(id); };
  src.subscription_count = [this] { return notifications.subscription_count(); };
  src.focused = [this](user_id u, group_id g) { return focus.fresh(u, g, clock.now()); };
  // The VAPID `sub`: the self-hoster's contact, else the server's public URL when it is https
  // (RFC 8292 allows only mailto: and https:); else none, and push services that insist on a
  // contact (Apple's does) refuse the pushes, so say so once at start.
  std::string subject = cfg.push.subject;
  if (subject.empty() && public_url.starts_with("https://")) subject = public_url;
  if (subject.empty())
    spdlog::warn("push: no --push-subject and the public URL is not https; Apple's push service refuses pushes "
                 "without a contact, so set --push-subject mailto:you@example.org");
  push_dispatcher = std::make_unique<push::dispatcher>(cfg.push, push::server_keys::load_or_create(ctx), subject, std::move(src),
                                                       clock);
}

}  // namespace peerchat::gateway
