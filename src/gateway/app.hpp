// SPDX-License-Identifier: MIT
// The server's long-lived parts, built once at start and shared by every connection.
#pragma once
#include "hub.hpp"
#include "peerchat/core/clock.hpp"
#include "peerchat/core/config.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/first_run.hpp"
#include "peerchat/service/groups.hpp"
#include "peerchat/service/invites.hpp"
#include "peerchat/service/messages.hpp"
#include "peerchat/store/reader.hpp"
#include "peerchat/store/writer.hpp"
#include <atomic>

namespace peerchat::gateway {

// Thread safety: members are thread-safe objects; the struct itself is immutable after start.
struct app {
  explicit app(config c);

  peerchat::config cfg;
  std::string public_url;      // cfg.effective_public_url(), computed once
  std::string public_origin;   // what a browser sends as Origin
  system_clock clock;
  store::writer writer;
  store::reader reader;
  gateway::hub hub;
  service::context ctx;
  service::accounts accounts;
  service::groups groups;
  service::invites invites;
  service::messages messages;
  service::first_run setup;
  std::string epoch;  // the database's epoch (store/meta.hpp), read once at start

  std::atomic<std::uint64_t> slow_consumer_closes{0};
  std::atomic<std::uint64_t> rate_limited_frames{0};
};

}  // namespace peerchat::gateway
