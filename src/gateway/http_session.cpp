// SPDX-License-Identifier: MIT
// The HTTP connection: reads, queues and writes; the request handler decides the answers.
// /api/v1/ws upgrades to a WebSocket.
#include "http_session.hpp"
#include "router.hpp"
#include "ws_session.hpp"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace peerchat::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr auto read_timeout = std::chrono::seconds(30);  // a request body; writing a response

std::string header(http_request const& req, http::field f) {
  auto it = req.find(f);
  return it == req.end() ? std::string() : std::string(it->value());
}
}  // namespace

template <class Stream>
http_session<Stream>::http_session(http_shared shared, Stream&& stream)
    : shared_(shared), stream_(std::move(stream)) {
  beast::error_code ec;
  auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
  if (!ec) peer_ = endpoint.address();
}

template <class Stream>
void http_session<Stream>::run() {
  if constexpr (tls) {
    beast::get_lowest_layer(stream_).expires_after(shared_.a.cfg.limits.header_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->close();
      self->do_read();
    });
  } else {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session<Stream>::do_read, shared_from_this()));
  }
}

template <class Stream>
void http_session<Stream>::do_read() {
  parser_.emplace();
  parser_->body_limit(shared_.a.cfg.limits.request_bytes);
  parser_->header_limit(16 * 1024);
  // Slowloris: a client that trickles its headers (or idles between requests) holds a
  // socket; it gets limits.header_timeout for the whole header, then the connection closes.
  beast::get_lowest_layer(stream_).expires_after(shared_.a.cfg.limits.header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session<Stream>::on_header, shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_header(beast::error_code ec, std::size_t n) {
  if (ec || parser_->is_done()) return on_read(ec, n);
  beast::get_lowest_layer(stream_).expires_after(read_timeout);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session<Stream>::on_read, shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted)
    return close();
  if (ec == http::error::body_limit) {
    auto res = error_response(11, errc::payload_too_large, "the request body is larger than the limit");
    res.keep_alive(false);
    return send(std::move(res));
  }
  if (ec) {
    if (ec.category() != make_error_code(http::error::bad_target).category()) return close();
    auto res = error_response(11, errc::bad_request, "malformed HTTP request");
    res.keep_alive(false);
    return send(std::move(res));
  }
  on_request(parser_->release());
}

template <class Stream>
void http_session<Stream>::on_request(http_request req) {
  if (beast::websocket::is_upgrade(req)) return upgrade(std::move(req));
  request_source from{peer_, tls, shared_.metrics_listener};
  // The answer may come from a worker thread: back to this session's strand to write it.
  shared_.handler.handle(std::move(req), from, [self = shared_from_this()](http_response res) {
    asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
  });
}

template <class Stream>
void http_session<Stream>::upgrade(http_request req) {
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  unsigned version = req.version();
  if (auto refused = shared_.handler.over_budget(req, {peer_, tls, shared_.metrics_listener}))
    return send(std::move(*refused));
  if (path != "/api/v1/ws" || shared_.metrics_listener)
    return send(error_response(version, errc::not_found, "no WebSocket here"));
  // Another site's page must not open a socket with the user's cookie.
  std::string origin = header(req, http::field::origin);
  if (!origin.empty() && origin != shared_.a.public_origin)
    return send(error_response(version, errc::forbidden, "origin not allowed"));
  std::string cookie_token = token_of("", header(req, http::field::cookie));
  beast::get_lowest_layer(stream_).expires_never();
  // The WebSocket keeps this connection's slot under the caps until it is destroyed.
  std::shared_ptr<ws_session<Stream>>(
      new ws_session<Stream>(shared_.a, shared_.workers, std::move(stream_), std::move(cookie_token)),
      [slot = shared_.slot](ws_session<Stream>* ws) { delete ws; })
      ->run(std::move(req));
}

template <class Stream>
void http_session<Stream>::send(response res) {
  pending_ = std::make_shared<response>(std::move(res));
  bool keep_alive = pending_->keep_alive();
  beast::get_lowest_layer(stream_).expires_after(read_timeout);
  http::async_write(stream_, *pending_,
                    beast::bind_front_handler(&http_session<Stream>::on_write, shared_from_this(), keep_alive));
}

template <class Stream>
void http_session<Stream>::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  pending_.reset();
  if (ec || !keep_alive) return close();
  do_read();
}

template <class Stream>
void http_session<Stream>::close() {
  if constexpr (tls) {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().close(ignored);
    });
  } else {
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }
}

template class http_session<beast::tcp_stream>;
template class http_session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace peerchat::gateway
