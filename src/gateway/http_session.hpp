// SPDX-License-Identifier: MIT
// One HTTP connection: reads requests, hands each to the request handler, writes the answers
// in order, or hands the socket to a WebSocket. Knows nothing of routes.
#pragma once
#include "app.hpp"
#include "request_handler.hpp"
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <type_traits>
#include <variant>

namespace peerchat::gateway {

// What every HTTP connection shares.
struct http_shared {
  app& a;
  worker_pool& workers;
  request_handler& handler;
  std::shared_ptr<void> slot;     // this connection's place under the connection caps
  bool metrics_listener = false;  // accepted on --metrics-listen
};

// Thread safety: used only on its strand (the stream's executor); the handler's answers
// from worker threads are posted back to it.
//
// Stream is boost::beast::tcp_stream (plain HTTP) or ssl_stream<tcp_stream> (HTTPS, after
// a TLS handshake); both instantiations live in http_session.cpp.
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
 public:
  using response = http_response;
  http_session(http_shared shared, Stream&& stream);
  void run();

 private:
  void do_read();
  void on_header(boost::beast::error_code ec, std::size_t n);
  void on_read(boost::beast::error_code ec, std::size_t n);
  void on_request(http_request req);
  void start_upload();
  void on_upload_start(std::variant<http_response, upload_ticket> start);
  void upgrade(http_request req);
  void send(response res);
  void send_file(file_response res);
  void send_stream(streamed_response res);  // chunked, from a body_source (chunked_writer.hpp)
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t n);
  void close();
  static constexpr bool tls = !std::is_same_v<Stream, boost::beast::tcp_stream>;
  using std::enable_shared_from_this<http_session<Stream>>::shared_from_this;

  http_shared shared_;
  Stream stream_;
  boost::asio::ip::address peer_;  // the TCP peer, read once at the start
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<void> pending_;  // the response being written (and its serializer)
};

}  // namespace peerchat::gateway
