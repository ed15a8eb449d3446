// SPDX-License-Identifier: MIT
// A small blocking HTTP/1.1 keep-alive client for the bench's setup calls.
#include "http_client.hpp"
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace peerchat::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct http_client::impl {
  std::string host;
  std::uint16_t port;
  std::chrono::seconds timeout;
  asio::io_context io;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  beast::error_code connect() {
    stream = std::make_unique<beast::tcp_stream>(io);
    buffer.clear();
    beast::error_code ec;
    stream->socket().connect(tcp::endpoint(asio::ip::make_address(host), port), ec);
    if (!ec) stream->socket().set_option(tcp::no_delay(true), ec);
    return ec;
  }

  http_reply once(std::string const& method, std::string const& target, std::string const& body, std::string const& token,
                  http_client::header_list const& headers, bool& retry) {
    retry = false;
    beast::error_code ec;
    bool fresh = false;
    if (!stream || !stream->socket().is_open()) {
      if ((ec = connect())) return {0, "connect: " + ec.message()};
      fresh = true;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host + ":" + std::to_string(port));
    req.keep_alive(true);
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty() || method == "POST") {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    for (auto const& [name, value] : headers) req.set(name, value);
    req.prepare_payload();
    // The blocking calls cannot take a deadline; a socket-level timeout bounds a hung server.
    struct timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(stream->socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(stream->socket().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    http::write(stream->socket(), req, ec);
    http::response<http::string_body> res;
    if (!ec) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      http::read(stream->socket(), buffer, parser, ec);
      if (!ec) res = parser.release();
    }
    if (ec) {
      stream.reset();
      retry = !fresh;  // a kept-alive connection the server had closed: one fresh try
      return {0, method + " " + target + ": " + ec.message()};
    }
    if (!res.keep_alive()) stream.reset();
    return {static_cast<int>(res.result_int()), std::move(res.body())};
  }
};

http_client::http_client(std::string host, std::uint16_t port, std::chrono::seconds timeout)
    : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

http_client::~http_client() = default;

http_reply http_client::request(std::string const& method, std::string const& target, std::string const& body,
                                std::string const& token, header_list const& headers) {
  bool retry = false;
  auto r = impl_->once(method, target, body, token, headers, retry);
  if (retry) r = impl_->once(method, target, body, token, headers, retry);
  return r;
}

}  // namespace peerchat::bench
