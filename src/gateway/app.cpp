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
                                                      cfg.limits.max_connections_per_address)) {}

}  // namespace peerchat::gateway
