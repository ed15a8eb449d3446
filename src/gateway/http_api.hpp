// SPDX-License-Identifier: MIT
// The HTTP API under /api/v1: routing, authentication, and the JSON of each answer.
#pragma once
#include "app.hpp"
#include "request_parsing.hpp"  // token_of
#include <string>
#include <utility>
#include <vector>

namespace peerchat::gateway {

struct api_request {
  std::string method;          // "GET", "POST", …
  std::string target;          // path and query, as received
  std::string body;
  std::string authorization;   // the Authorization header
  std::string cookie;          // the Cookie header
  std::string origin;          // the Origin header, empty when absent
  std::string client_address;
  bool tls = false;
};

struct api_reply {
  int status = 200;
  std::string body;            // JSON, or empty for 204
  std::vector<std::pair<std::string, std::string>> headers;
};


// Thread safety: handle() from any worker thread (it blocks on the store; never call it on
// an I/O thread).
class http_api {
 public:
  explicit http_api(app& a) : app_(a) {}
  api_reply handle(api_request const& req);

 private:
  app& app_;
};

}  // namespace peerchat::gateway
