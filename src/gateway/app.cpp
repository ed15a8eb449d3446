// SPDX-License-Identifier: MIT
// Building the shared parts: configuration, store and services.
#include "app.hpp"

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
  src.subscription_gone = [this](std::int64_t id) { notifications.subscription_gone(id); };
  src.subscription_count = [this] { return notifications.subscription_count(); };
  // The VAPID `sub`: the self-hoster's contact, else the server's public URL.
  std::string subject = cfg.push.subject.empty() ? public_url : cfg.push.subject;
  push_dispatcher = std::make_unique<push::dispatcher>(cfg.push, push::server_keys::load_or_create(ctx), subject, std::move(src),
                                                       clock);
}

}  // namespace peerchat::gateway
