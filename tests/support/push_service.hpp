// SPDX-License-Identifier: MIT
// The local push service (tests/push/push_service.py) as a child process: it stands in for
// the browser vendor's push service on 127.0.0.1, verifies every push with Python's
// `cryptography` (VAPID JWT, aes128gcm) and records it for the test to read.
#pragma once
#include "support/http_client.hpp"
#include "support/process.hpp"

#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace peerchat::test {

// A subscription the push service made; only the service knows its private key.
struct push_subscription_keys {
  std::string id;        // the service's name for it (endpoint = origin + "/push/" + id)
  std::string endpoint;
  std::string p256dh;
  std::string auth;
  json as_json() const;  // what PushSubscription.toJSON() gives a browser: {endpoint, keys}
};

// Thread safety: none; the test thread owns it.
class local_push_service {
 public:
  // The script (PEERCHAT_PUSH_SERVICE, overridable by the environment variable of that name).
  static std::string script();

  // Starts it (bounded wait for its port); it serves at most `lifetime` and stops by itself
  // when this process is gone. False with log() when it did not come up.
  bool start(std::filesystem::path const& dir, std::chrono::seconds lifetime = std::chrono::seconds(600),
             std::vector<std::string> const& extra_args = {});
  std::uint16_t port() const { return port_; }
  std::string log() const;

  push_subscription_keys subscribe();
  // The key every push's `k=` must equal (the server's GET /push/key).
  void expect_key(std::string const& vapid_public_key);
  // Answers for pushes to that subscription, in order, then `fallback` for every later one:
  // {"status":N,"retry_after":S} or {"hang":true}.
  void script(std::string const& id, json const& answers, json const& fallback = {{"status", 201}});

  // Every push recorded so far (to that subscription; "" = all), in arrival order.
  std::vector<json> received(std::string const& id = {}) const;
  // Waits (bounded) until `count` pushes to `id` are recorded; returns them all.
  std::vector<json> wait_for(std::string const& id, std::size_t count,
                             std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
  // Waits (bounded) until a push to `id` whose decrypted payload has that seq is recorded.
  bool wait_for_seq(std::string const& id, std::int64_t seq,
                    std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
  json stats() const;

 private:
  http_client http() const { return http_client(port_); }
  std::filesystem::path log_file_;
  child_process process_;
  std::uint16_t port_ = 0;
};

// The seqs of the decrypted message payloads of pushes, ascending (pushes arrive in any order).
std::vector<std::int64_t> pushed_seqs(std::vector<json> const& pushes);

}  // namespace peerchat::test
