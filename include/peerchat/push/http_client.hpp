// SPDX-License-Identifier: MIT
// A small HTTP(S) POST client for push services, on Beast and OpenSSL, on a thread of its own.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace peerchat::push {

struct http_request {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct http_response {
  int status = 0;           // 0: no answer (the error says why)
  std::string error;        // refused, DNS, connect, TLS, timeout…
  bool refused = false;     // the endpoint is not allowed (URL or address): never retried
  std::string retry_after;  // the Retry-After header, as sent
  std::string body;         // at most client_options::max_body bytes
};

struct client_options {
  bool allow_loopback = false;               // tests: http(s)://127.0.0.1 endpoints
  std::chrono::milliseconds timeout{10'000}; // one request: resolve, connect, TLS, write, read
  std::size_t max_body = 4096;               // answers longer than this are cut
  std::string extra_ca_file;                 // tests: trust this CA besides the system store
};

// Thread safety: post() and stop() from any thread; completions run on the client's own
// thread (never a gateway I/O thread) and must not block.
class http_client {
 public:
  explicit http_client(client_options options);
  ~http_client();  // stop()
  http_client(http_client const&) = delete;
  http_client& operator=(http_client const&) = delete;

  // Sends `request` as a POST; `done` runs exactly once (with status 0 and an error after
  // stop()). Certificates are verified against the system store, with SNI and host-name
  // checking; every resolved address must pass address_allowed().
  void post(http_request request, std::function<void(http_response)> done);

  // Cancels requests in flight (their `done` runs with an error) and joins the thread.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace peerchat::push
