// SPDX-License-Identifier: MIT
// The HTTP API under /api/v1: a request (no socket, no stream) in, a reply out. Routes live
// in src/gateway/api/, one file per resource; the router only matches them.
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
  std::string client_address;  // the client's IP (the forwarded one behind a trusted proxy)
  std::string user_agent;      // the User-Agent header (kept with a login's session)
  std::string if_none_match;   // the If-None-Match header (cached avatars)
  bool tls = false;
};

struct api_reply {
  int status = 200;
  std::string body;            // JSON, or empty for 204
  std::vector<std::pair<std::string, std::string>> headers;
};


// Thread safety: handle() from any worker thread (it blocks on the store; never call it on
// an I/O thread). The route table is immutable after construction.
class router {
 public:
  explicit router(app& a);
  api_reply handle(api_request const& req);

 private:
  app& app_;
};

}  // namespace peerchat::gateway
