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
  // After this much silence a WebSocket gets a ping; after as much again without a byte
  // from the client, the connection is dropped (a phone gone from the network).
  std::chrono::seconds keep_alive{30};
  std::chrono::seconds write_stall{30};
  std::int64_t session_days = 30;
  // Connections and HTTP requests. A phone in normal use holds 1 WebSocket and at most a few
  // HTTP connections, and spends a handful of HTTP requests when the app opens (me, groups,
  // one events page per group with news), well under 1 request/s after that.
  std::size_t max_connections = 10000;             // open sockets in total, HTTP and WebSocket
  std::size_t max_connections_per_address = 256;   // per client IP (a household behind NAT fits)
  std::chrono::seconds header_timeout{10};         // a request's headers, a TLS handshake
  double http_per_second = 20;                     // HTTP requests per client address, sustained
  double http_burst = 200;                         // per client address, opening the app with many groups
  // Budgets of client work besides sends, per user (token buckets: sustained per minute, burst).
  // What a phone in normal use spends: a few edits an hour, a handful of reactions when it
  // catches up (the picker is one tap each), one search per pause in typing (the web client
  // waits 350 ms), one invite accept per group it ever joins. The bursts cover a busy minute.
  double edit_per_minute = 30;
  double edit_burst = 10;
  double react_per_minute = 60;
  double react_burst = 30;
  double search_per_minute = 30;
  double search_burst = 15;
  // Invite accepts: per user, and per client address for accepts that create an account
  // (each pays an Argon2id hash; a family behind one home router joins well within 20).
  double accept_per_minute = 10;
  double accept_burst = 20;
  // Direct conversations started or opened (POST /direct), per user: a click on "Message".
  double direct_per_minute = 20;
  double direct_burst = 20;
  // History exports, per user: each reads a whole group, so a handful an hour.
  double exports_per_hour = 20;
  double exports_burst = 10;
  // The most keys any one rate-limiter table keeps (ids, usernames, addresses); about 200
  // bytes each, so 10 000 keys are ~2 MB per table however many names a client makes up.
  std::size_t limiter_keys = 10'000;
  // Jobs the store's writer queue holds before it refuses more (rate_limited, retry in 1 s).
  // One commit takes up to 1024 jobs in a few ms; a real group never queues more than a few.
  std::size_t writer_queue_jobs = 10'000;
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

// Web Push (docs/notifications.md). A push is a small POST to the browser vendor's push service;
// a group of a dozen sends a few a minute, a busy one a few a second.
struct push_settings {
  bool allow_loopback = false;     // also accept http(s)://127.0.0.1:PORT endpoints (tests only)
  bool minimal_content = false;    // payloads carry ids only, never text, sender or group name
  std::string subject;             // VAPID `sub` (mailto: or https:); empty: the public URL
  std::size_t queue = 10'000;      // pushes waiting to be sent; over it the oldest is dropped
  std::size_t in_flight = 32;      // requests to push services at once
  std::chrono::seconds timeout{10};   // one request: connect, TLS, send, answer
  int max_attempts = 5;            // tries of one push on 429/5xx/network errors, with backoff
  std::chrono::seconds ttl{86'400};   // how long a push service keeps an undelivered push
};

// Attachments (docs/attachments.md): photos, files and voice notes, stored content-addressed
// under <data dir>/attachments. A phone photo is 2–6 MB, a minute of voice note ~0.5 MB.
struct attachment_settings {
  std::uint64_t max_bytes = 25ull << 20;        // one upload; over it 413 payload_too_large
  std::uint64_t quota_bytes = 10ull << 30;      // every stored file together; over it 413
  std::uint64_t max_image_pixels = 50'000'000;  // width × height an image may decode to; over it 400
  int media_workers = 2;                        // uploads decoded / remuxed at once (off the I/O threads)
  std::size_t media_queue = 64;                 // uploads waiting for a media worker; over it rate_limited
  double uploads_per_minute = 30;               // per user, token bucket refill
  double uploads_burst = 20;                    // per user: a dozen photos picked at once fit
  std::chrono::seconds orphan_after{24 * 3600}; // an upload never attached is removed after this
  std::chrono::seconds idle_timeout{30};        // an upload's body must keep arriving (phones on bad networks)
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
  std::string trusted_proxies;  // CIDRs of reverse proxies whose X-Forwarded-For/Forwarded is believed
  std::string metrics_token;    // bearer token for /metrics on the main listener; empty: no /metrics there
  std::string metrics_listen;   // ADDR:PORT serving /metrics without a token (private network); empty: none
  // How long a connection's `focus` frame holds (no push for that group to that user) unless
  // renewed: short, so a desktop tab left open does not silence the phone for long.
  std::chrono::seconds focus_lifetime{60};
  push_settings push;
  attachment_settings attachments;
  // Who may create groups: "admins" (server admins only, the default) or "everyone".
  std::string group_creation = "admins";
  bool may_create_groups(bool is_admin) const { return is_admin || group_creation == "everyone"; }

  // The public URL with no trailing slash, derived from the listen address when unset.
  std::string effective_public_url() const;
  // scheme://host[:port] of the public URL, what a browser sends as Origin.
  std::string public_origin() const;
};

}  // namespace peerchat
