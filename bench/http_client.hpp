// SPDX-License-Identifier: MIT
// A small blocking HTTP/1.1 keep-alive client for the bench's setup calls (never on the hot path).
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace peerchat::bench {

struct http_reply {
  int status = 0;  // 0: transport error (see body)
  std::string body;
};

// Thread safety: none; each setup thread owns its own client.
class http_client {
 public:
  http_client(std::string host, std::uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(60));
  ~http_client();
  http_client(http_client const&) = delete;
  http_client& operator=(http_client const&) = delete;

  // One request; reconnects once if the kept-alive connection was closed under it.
  // `headers` replace the defaults (Content-Type: application/json) where they name the same field.
  using header_list = std::vector<std::pair<std::string, std::string>>;
  http_reply request(std::string const& method, std::string const& target, std::string const& body = {},
                     std::string const& token = {}, header_list const& headers = {});

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace peerchat::bench
