// SPDX-License-Identifier: MIT
// --push-service: every member registers a Web Push subscription made by the local push
// service (tests/push/push_service.py), so each message costs the server its pushes too.
#pragma once
#include "setup.hpp"

#include <cstdint>
#include <string>

namespace peerchat::bench {

// For each member of each group: POST /__subscription to the push service on push_port, then
// POST /api/v1/push/subscriptions with the member's token. Returns how many were registered;
// throws with the answer when a call fails. The server must run with --push-allow-loopback.
int subscribe_members(setup_result const& setup, std::string const& host, std::uint16_t server_port,
                      std::uint16_t push_port);

}  // namespace peerchat::bench
