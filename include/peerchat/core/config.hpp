// SPDX-License-Identifier: MIT
// Everything a self-hoster can set, with the contract's defaults.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace peerchat {

struct limits {
  std::size_t message_chars = 8000;         // message body, code points after trimming
  std::size_t request_bytes = 1 << 20;      // HTTP request body
  std::size_t frame_bytes = 64 * 1024;      // WebSocket frame
  std::size_t queue_bytes = 1 << 20;        // a connection's outgoing queue
  int json_depth = 32;                      // nesting of any JSON input
  double send_per_second = 10;              // per user, token bucket refill
  double send_burst = 30;                   // per user, token bucket size
  double login_per_minute = 10;             // per username and per client address
  int invalid_frames_in_row = 20;           // then close 1008
  std::chrono::seconds hello_timeout{10};
  std::chrono::seconds write_stall{30};
  std::int64_t session_days = 30;
  // Store work (API requests, hellos, replay pages, read markers) queued or running on the
  // worker pool before new work is refused (503 / rate_limited). A phone has one or two in
  // flight; a restart with 5000 phones reconnecting at once queues one hello each.
  std::size_t worker_tasks = 8192;
  // Client frames other than sends (typing, read markers, pings, invalid frames), per
  // connection and per user (all their devices). A phone in normal use spends a few a
  // minute: a typing notice a second while typing, a read marker per group opened or
  // message seen, a ping every 30 s. The burst covers opening a busy app; the per-user
  // budget covers a handful of devices. Over budget: rate_limited with retry_after_ms.
  double frames_per_second = 10;
  double frames_burst = 60;
  double user_frames_per_second = 30;
  double user_frames_burst = 180;
};

struct config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::filesystem::path data_dir = "./data";
  std::string public_url;                   // empty: http://<listen address>
  std::string tls_cert;
  std::string tls_key;
  std::string log_format = "text";          // or "json"
  int io_threads = 1;
  int worker_threads = 4;                   // run requests that read the store (never I/O threads)
  peerchat::limits limits;

  // The public URL with no trailing slash, derived from the listen address when unset.
  std::string effective_public_url() const;
  // scheme://host[:port] of the public URL, what a browser sends as Origin.
  std::string public_origin() const;
};

}  // namespace peerchat
