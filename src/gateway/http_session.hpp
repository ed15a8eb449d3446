// SPDX-License-Identifier: MIT
// One HTTP connection: reads requests, answers them, or hands the socket to a WebSocket.
#pragma once
#include "app.hpp"
#include "http_api.hpp"
#include "static_files.hpp"
#include "worker_pool.hpp"
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <type_traits>

namespace peerchat::gateway {

// What every HTTP connection shares.
struct http_shared {
  app& a;
  worker_pool& workers;
  static_files const& files;
  http_api& api;
};

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// Thread safety: used only on its strand (the stream's executor); store work runs on the
// worker pool and its answer is posted back.
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
  void on_read(boost::beast::error_code ec, std::size_t n);
  void handle(boost::beast::http::request<boost::beast::http::string_body> req);
  void send(response res);
  static response busy_response(unsigned version, bool keep_alive);
  worker_pool::failure_fn answer_failure(unsigned version, bool keep_alive);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t n);
  void close();
  static constexpr bool tls = !std::is_same_v<Stream, boost::beast::tcp_stream>;
  using std::enable_shared_from_this<http_session<Stream>>::shared_from_this;

  http_shared shared_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<response> pending_;  // the response being written
};

}  // namespace peerchat::gateway
