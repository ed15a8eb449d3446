// SPDX-License-Identifier: MIT
// The synchronous test HTTP client: async Beast operations on a private io_context, so
// every step has a deadline (tcp_stream's expiry) and a hung server fails the test quickly.
#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <cctype>

namespace peerchat::test {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Connects to host:port within the stream's expiry. Returns an error message or "".
std::string connect(beast::tcp_stream& stream, net::io_context& ioc, std::string const& host,
                    std::uint16_t port) {
  beast::error_code ec;
  net::ip::address addr = net::ip::make_address(host, ec);
  if (ec) return "bad address " + host;
  bool done = false;
  stream.async_connect(tcp::endpoint(addr, port), [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  ioc.run();
  ioc.restart();
  if (!done) return "connect did not complete";
  return ec ? "connect: " + ec.message() : std::string();
}

// Writes `write` (started by the caller's lambda) while reading the response concurrently,
// so a server that answers early (413 before the whole body) is still heard.
template <class StartWrite>
http_response exchange(std::string const& host, std::uint16_t port, std::chrono::milliseconds timeout,
                       StartWrite&& start_write) {
  http_response out;
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  if (auto failure = connect(stream, ioc, host, port); !failure.empty()) {
    out.failure = failure;
    return out;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{64} << 20);
  beast::error_code write_ec, read_ec;
  bool read_done = false;
  start_write(stream, [&](beast::error_code e, std::size_t) { write_ec = e; });
  http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
    read_ec = e;
    read_done = true;
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.cancel();
  });
  ioc.run();
  if (!read_done || read_ec) {
    out.failure = read_ec == beast::error::timeout ? "timed out" : "read: " + read_ec.message();
    if (write_ec && write_ec != net::error::operation_aborted) out.failure += " (write: " + write_ec.message() + ")";
    if (!parser.is_header_done()) return out;
  }
  auto const& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (auto const& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = res.body();
  return out;
}

}  // namespace

json http_response::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string http_response::header(std::string_view name) const {
  for (auto const& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

std::vector<std::string> http_response::set_cookies() const {
  std::vector<std::string> out;
  for (auto const& [k, v] : headers)
    if (iequals(k, "set-cookie")) out.push_back(v);
  return out;
}

std::string http_response::error_code() const {
  auto j = json();
  if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("code") &&
      j["error"]["code"].is_string())
    return j["error"]["code"].get<std::string>();
  return {};
}

bool http_response::is_contract_error() const {
  auto j = json();
  return j.is_object() && j.contains("error") && j["error"].is_object() &&
         j["error"].contains("code") && j["error"]["code"].is_string() &&
         j["error"].contains("message") && j["error"]["message"].is_string();
}

std::ostream& operator<<(std::ostream& os, http_response const& r) {
  os << "HTTP " << r.status;
  if (!r.failure.empty()) os << " (" << r.failure << ")";
  auto body = r.body.size() > 600 ? r.body.substr(0, 600) + "…" : r.body;
  return os << " " << body;
}

http_client::http_client(std::uint16_t port, std::string host) : host_(std::move(host)), port_(port) {}

http_response http_client::request(http::verb method, std::string const& target,
                                   std::optional<json> const& body, request_options const& opts) const {
  if (!body) return request_raw(method, target, std::string(), opts);
  return request_raw(method, target, body->dump(), opts);
}

http_response http_client::request_raw(http::verb method, std::string const& target, std::string body,
                                       request_options const& opts) const {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, host_ + ":" + std::to_string(port_));
  req.set(http::field::user_agent, "peerchat-tests");
  bool has_content_type = false;
  for (auto const& [k, v] : opts.headers) {
    if (iequals(k, "content-type")) has_content_type = true;
    if (iequals(k, "user-agent"))
      req.set(http::field::user_agent, v);  // in place of the default one
    else
      req.insert(k, v);
  }
  if (!opts.token.empty()) req.set(http::field::authorization, "Bearer " + opts.token);
  if (!body.empty() && !has_content_type) req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  return exchange(host_, port_, opts.timeout, [&](beast::tcp_stream& stream, auto handler) {
    http::async_write(stream, req, std::move(handler));
  });
}

http_response http_client::send_bytes(std::string const& bytes, std::chrono::milliseconds timeout) const {
  return exchange(host_, port_, timeout, [&](beast::tcp_stream& stream, auto handler) {
    net::async_write(stream, net::buffer(bytes), std::move(handler));
  });
}

http_response http_client::get(std::string const& target, std::string const& token) const {
  return request(http::verb::get, target, std::nullopt, {token, {}});
}
http_response http_client::post(std::string const& target, json const& body, std::string const& token) const {
  return request(http::verb::post, target, body, {token, {}});
}
http_response http_client::patch(std::string const& target, json const& body, std::string const& token) const {
  return request(http::verb::patch, target, body, {token, {}});
}
http_response http_client::put(std::string const& target, std::string const& token) const {
  return request(http::verb::put, target, std::nullopt, {token, {}});
}
http_response http_client::del(std::string const& target, std::string const& token) const {
  return request(http::verb::delete_, target, std::nullopt, {token, {}});
}

}  // namespace peerchat::test
