// SPDX-License-Identifier: MIT
// The HTTP connection: API requests go to the worker pool, web client files are served
// from memory, /api/v1/ws upgrades to a WebSocket.
#include "http_session.hpp"
#include "peerchat/protocol/wire.hpp"
#include "metrics.hpp"
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
constexpr auto read_timeout = std::chrono::seconds(30);

http_response json_response(unsigned version, int status, std::string body) {
  http_response res{static_cast<http::status>(status), version};
  res.set(http::field::server, "peerchat");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  if (!body.empty()) res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

http_response error_response(unsigned version, errc code, std::string message) {
  auto e = make_error(code, std::move(message));
  return json_response(version, http_status(code), protocol::error_body(e));
}

std::string header(http::request<http::string_body> const& req, http::field f) {
  auto it = req.find(f);
  return it == req.end() ? std::string() : std::string(it->value());
}
}  // namespace

template <class Stream>
http_session<Stream>::http_session(http_shared shared, Stream&& stream)
    : shared_(shared), stream_(std::move(stream)) {}

template <class Stream>
void http_session<Stream>::run() {
  if constexpr (tls) {
    beast::get_lowest_layer(stream_).expires_after(read_timeout);
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
  handle(parser_->release());
}

template <class Stream>
void http_session<Stream>::handle(http::request<http::string_body> req) {
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  unsigned version = req.version();
  bool keep_alive = req.keep_alive();

  if (beast::websocket::is_upgrade(req)) {
    if (path != "/api/v1/ws") return send(error_response(version, errc::not_found, "no WebSocket here"));
    // Another site's page must not open a socket with the user's cookie.
    std::string origin = header(req, http::field::origin);
    if (!origin.empty() && origin != shared_.a.public_origin)
      return send(error_response(version, errc::forbidden, "origin not allowed"));
    std::string cookie_token = token_of("", header(req, http::field::cookie));
    beast::get_lowest_layer(stream_).expires_never();
    std::make_shared<ws_session<Stream>>(shared_.a, shared_.workers, std::move(stream_), std::move(cookie_token))
        ->run(std::move(req));
    return;
  }

  if (path == "/healthz") {
    bool posted = shared_.workers.try_post("healthz", [self = shared_from_this(), version, keep_alive] {
      bool ok = false;
      try {
        ok = self->shared_.a.reader.with([](store::database& db) {
          auto& st = db.prepare("SELECT 1");
          return st.step();
        });
      } catch (std::exception const&) {
      }
      auto res = ok ? json_response(version, 200, R"({"status":"ok"})")
                    : error_response(version, errc::internal, "the store does not answer");
      res.keep_alive(keep_alive);
      asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
    }, answer_failure(version, keep_alive));
    if (!posted) send(busy_response(version, keep_alive));
    return;
  }

  if (path == "/metrics") {
    response res{http::status::ok, version};
    res.set(http::field::server, "peerchat");
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.body() = render_metrics(shared_.a);
    res.prepare_payload();
    res.keep_alive(keep_alive);
    return send(std::move(res));
  }

  if (path == "/api" || path.starts_with("/api/")) {
    api_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(target);
    r.body = std::move(req.body());
    r.authorization = header(req, http::field::authorization);
    r.cookie = header(req, http::field::cookie);
    r.origin = header(req, http::field::origin);
    beast::error_code ec;
    auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    r.client_address = ec ? "" : endpoint.address().to_string();
    r.tls = tls;
    if (!path.starts_with("/api/v1/")) {
      return send(error_response(version, errc::not_found, "no such API route"));
    }
    bool posted = shared_.workers.try_post("API request", [self = shared_from_this(), r = std::move(r), version, keep_alive] {
      api_reply reply = self->shared_.api.handle(r);
      auto res = json_response(version, reply.status, std::move(reply.body));
      for (auto& [name, value] : reply.headers) res.insert(name, value);
      res.keep_alive(keep_alive);
      asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
    }, answer_failure(version, keep_alive));
    if (!posted) send(busy_response(version, keep_alive));
    return;
  }

  // The web client, from memory: no store access, so it is answered right here.
  if (req.method() != http::verb::get && req.method() != http::verb::head)
    return send(error_response(version, errc::not_found, "not found"));
  auto const* file = shared_.files.find(path);
  if (!file) return send(error_response(version, errc::not_found, "not found"));
  response res{http::status::ok, version};
  res.set(http::field::server, "peerchat");
  res.set(http::field::content_type, file->content_type);
  res.set(http::field::etag, file->etag);
  res.set(http::field::cache_control, "no-cache");  // revalidate with the ETag: updates show at once
  res.set("Content-Security-Policy", content_security_policy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  if (header(req, http::field::if_none_match) == file->etag) {
    res.result(http::status::not_modified);
  } else if (req.method() == http::verb::get) {
    res.body().assign(file->content.data(), file->content.size());
  }
  res.prepare_payload();
  if (req.method() == http::verb::head) res.content_length(file->content.size());
  res.keep_alive(keep_alive);
  send(std::move(res));
}

// The worker pool is full: 503 with the contract's error shape, to be retried.
template <class Stream>
http_response http_session<Stream>::busy_response(unsigned version, bool keep_alive) {
  auto res = json_response(version, 503, protocol::error_body(worker_pool::busy()));
  res.set(http::field::retry_after, "1");
  res.keep_alive(keep_alive);
  return res;
}

// Work that threw on a worker still gets an answer: 500 `internal`.
template <class Stream>
worker_pool::failure_fn http_session<Stream>::answer_failure(unsigned version, bool keep_alive) {
  return [self = shared_from_this(), version, keep_alive](error const& e) {
    auto res = json_response(version, http_status(e.code), protocol::error_body(e));
    res.keep_alive(keep_alive);
    asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
  };
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
