// SPDX-License-Identifier: MIT
// The server's long-lived parts, built once at start and shared by every connection.
#pragma once
#include "connection_limits.hpp"
#include "focus_registry.hpp"
#include "hub.hpp"
#include "peerchat/core/clock.hpp"
#include "peerchat/core/config.hpp"
#include "peerchat/service/backend.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/push/dispatcher.hpp"
#include <atomic>
#include <memory>

namespace peerchat::gateway {

// Thread safety: members are thread-safe objects; the struct itself is immutable after start.
struct app {
  explicit app(config c);

  peerchat::config cfg;
  std::string public_url;      // cfg.effective_public_url(), computed once
  std::string public_origin;   // what a browser sends as Origin
  system_clock clock;
  service::backend backend;    // the store and the services; the gateway runs no SQL itself
  gateway::hub hub;
  // The services, by the names the sessions use.
  service::context& ctx = backend.ctx;
  service::accounts& accounts = backend.accounts;
  service::groups& groups = backend.groups;
  service::invites& invites = backend.invites;
  service::messages& messages = backend.messages;
  service::first_run& setup = backend.setup;
  service::notifications& notifications = backend.notifications;
  service::attachments& attachments = backend.attachments;
  service::user_admin& user_admin = backend.user_admin;
  service::direct& direct = backend.direct;
  service::blocks& blocks = backend.blocks;

  // Client frames other than sends, per user (all their connections): see limits.
  rate_limiter user_frames{clock, cfg.limits.user_frames_per_second, cfg.limits.user_frames_burst};
  // History exports per user (GET /groups/{id}/export reads a whole group).
  rate_limiter exports{clock, cfg.limits.exports_per_hour / 3600.0, cfg.limits.exports_burst, cfg.limits.limiter_keys};

  std::atomic<std::uint64_t> slow_consumer_closes{0};
  std::atomic<std::uint64_t> rate_limited_frames{0};
  std::shared_ptr<connection_limits> connections;   // the caps on open sockets
  std::atomic<std::uint64_t> accept_backoffs{0};    // accepts postponed for lack of file descriptors
  // Attachment files stored, bytes and count: counted from the store once a minute (server.cpp).
  std::atomic<std::uint64_t> attachment_bytes{0};
  std::atomic<std::uint64_t> attachment_files{0};
  // Which group each connection shows (the `focus` frame); the push dispatcher asks fresh().
  focus_registry focus{cfg.focus_lifetime};
  // Web Push: fed after each commit by the writer (server.cpp), its own threads; made last
  // and destroyed first, since its sources point at the members above.
  std::unique_ptr<push::dispatcher> push_dispatcher;
};

}  // namespace peerchat::gateway
