// SPDX-License-Identifier: MIT
// A synchronous HTTP/1.1 client for integration tests: one connection per request, a
// deadline on every operation, and I/O failures reported in the response instead of thrown.
#pragma once
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerchat::test {

using json = nlohmann::json;
using header_list = std::vector<std::pair<std::string, std::string>>;
namespace http = boost::beast::http;

struct http_response {
  int status = 0;          // 0 when no response arrived; `failure` says why
  std::string failure;     // connect/write/read error or timeout
  header_list headers;     // in the order received, names as sent
  std::string body;

  // The body parsed as JSON; a discarded value when it is not JSON.
  nlohmann::json json() const;
  // The first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
  // Every Set-Cookie header.
  std::vector<std::string> set_cookies() const;
  // body.error.code of a contract error, or "" when the body is not one.
  std::string error_code() const;
  // True when the body is exactly the contract's error shape.
  bool is_contract_error() const;
};

// "HTTP 404 {...}" for failure messages.
std::ostream& operator<<(std::ostream& os, http_response const& r);

struct request_options {
  std::string token;                 // sent as Authorization: Bearer <token> when not empty
  header_list headers;               // extra headers (Origin, Cookie, Content-Type, …)
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// Thread safety: a client holds only its target; each request uses its own io_context,
// so one client may be used from many threads at once.
class http_client {
 public:
  explicit http_client(std::uint16_t port, std::string host = "127.0.0.1");

  // A request with an optional JSON body (sent as application/json).
  http_response request(http::verb method, std::string const& target,
                        std::optional<json> const& body = std::nullopt,
                        request_options const& opts = {}) const;
  // A request with a body sent as given (for malformed JSON, invalid UTF-8, huge bodies).
  // Content-Type defaults to application/json unless opts.headers sets one.
  http_response request_raw(http::verb method, std::string const& target, std::string body,
                            request_options const& opts = {}) const;
  // Bytes written to a fresh connection as they are, then one HTTP response read.
  http_response send_bytes(std::string const& bytes,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  http_response get(std::string const& target, std::string const& token = {}) const;
  http_response post(std::string const& target, json const& body, std::string const& token = {}) const;
  http_response patch(std::string const& target, json const& body, std::string const& token = {}) const;
  http_response put(std::string const& target, std::string const& token = {}) const;
  http_response del(std::string const& target, std::string const& token = {}) const;

  std::uint16_t port() const { return port_; }

 private:
  std::string host_;
  std::uint16_t port_;
};

}  // namespace peerchat::test
