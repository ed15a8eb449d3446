// SPDX-License-Identifier: MIT
// One HTTP connection: reads requests, answers them, or hands the socket to a WebSocket.
#pragma once
#include "app.hpp"
#include "http_api.hpp"
#include "static_files.hpp"
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

namespace peerchat::gateway {

// What every HTTP connection shares.
struct http_shared {
  app& a;
  boost::asio::thread_pool& workers;
  static_files const& files;
  http_api& api;
};

// Thread safety: used only on its strand (the stream's executor); store work runs on the
// worker pool and its answer is posted back.
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  using response = boost::beast::http::response<boost::beast::http::string_body>;
  http_session(http_shared shared, boost::beast::tcp_stream&& stream);
  void run();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t n);
  void handle(boost::beast::http::request<boost::beast::http::string_body> req);
  void send(response res);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t n);
  void close();

  http_shared shared_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<response> pending_;  // the response being written
};

}  // namespace peerchat::gateway
