// SPDX-License-Identifier: MIT
// The HTTP connection: reads, queues and writes; the request handler decides the answers.
// /api/v1/ws upgrades to a WebSocket.
#include "http_session.hpp"
#include "chunked_writer.hpp"
#include "router.hpp"
#include "upload_receiver.hpp"
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
  // Beast refuses a Content-Length over body_limit while reading the header, before we know
  // the route: the larger limit here, the right one in on_header.
  parser_->body_limit(std::max<std::uint64_t>(shared_.a.cfg.limits.request_bytes, shared_.a.cfg.attachments.max_bytes));
  parser_->header_limit(16 * 1024);
  // Slowloris: a client that trickles its headers (or idles between requests) holds a
  // socket; it gets limits.header_timeout for the whole header, then the connection closes.
  beast::get_lowest_layer(stream_).expires_after(shared_.a.cfg.limits.header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session<Stream>::on_header, shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_header(beast::error_code ec, std::size_t n) {
  if (ec) return on_read(ec, n);
  // An upload's body goes to a file, never into memory (upload_receiver.hpp).
  if (request_handler::is_upload(parser_->get()) && !beast::websocket::is_upgrade(parser_->get())) return start_upload();
  std::uint64_t limit = shared_.a.cfg.limits.request_bytes;
  if (auto length = parser_->content_length(); length && *length > limit) return on_read(http::error::body_limit, n);
  parser_->body_limit(limit);  // a chunked body: counted as it arrives
  if (parser_->is_done()) return on_read(ec, n);
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
  if (request_handler::is_download(req)) {
    auto self = shared_from_this();
    return shared_.handler.download(
        req, from,
        [self](http_response res) {
          asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
        },
        [self](file_response res) {
          asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->send_file(std::move(res)); });
        });
  }
  // The answer may come from a worker thread: back to this session's strand to write it.
  auto self = shared_from_this();
  shared_.handler.handle(
      std::move(req), from,
      [self](http_response res) {
        asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
      },
      [self](streamed_response res) {
        asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->send_stream(std::move(res)); });
      });
}

template <class Stream>
void http_session<Stream>::start_upload() {
  // begin_upload runs on the worker pool (auth, membership, quota); the header timer would
  // cut it short on a busy store, so the body's own timer starts only when reading does.
  beast::get_lowest_layer(stream_).expires_after(read_timeout);
  request_source from{peer_, tls, shared_.metrics_listener};
  std::optional<std::uint64_t> length;
  if (auto declared = parser_->content_length()) length = *declared;
  shared_.handler.begin_upload(parser_->get(), length, from,
                               [self = shared_from_this()](std::variant<http_response, upload_ticket> start) {
                                 asio::post(self->stream_.get_executor(), [self, start = std::move(start)]() mutable {
                                   self->on_upload_start(std::move(start));
                                 });
                               });
}

template <class Stream>
void http_session<Stream>::on_upload_start(std::variant<http_response, upload_ticket> start) {
  if (auto* refused = std::get_if<http_response>(&start)) return send(std::move(*refused));
  auto receiver = std::make_shared<upload_receiver<Stream>>(
      shared_.a, stream_, buffer_, std::move(*parser_), std::move(std::get<upload_ticket>(start)),
      [self = shared_from_this()](std::optional<http_response> answer) {
        if (!answer) return self->close();
        self->send(std::move(*answer));
      });
  parser_.reset();
  receiver->run();
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
  auto message = std::make_shared<response>(std::move(res));
  pending_ = message;
  bool keep_alive = message->keep_alive();
  beast::get_lowest_layer(stream_).expires_after(read_timeout);
  http::async_write(stream_, *message,
                    beast::bind_front_handler(&http_session<Stream>::on_write, shared_from_this(), keep_alive));
}

// A download may take minutes on a slow phone: written piece by piece, each piece with an
// idle timer (as an upload's body), not one deadline for the whole file.
template <class Stream>
void http_session<Stream>::send_file(file_response res) {
  struct writing {
    file_response message;
    http::response_serializer<file_response::body_type> serializer{message};
    explicit writing(file_response m) : message(std::move(m)) {}
  };
  auto w = std::make_shared<writing>(std::move(res));
  pending_ = w;
  bool keep_alive = w->message.keep_alive();
  struct next_piece {
    std::shared_ptr<http_session> self;
    std::shared_ptr<writing> w;
    bool keep_alive;
    void operator()(beast::error_code ec, std::size_t n) {
      if (ec || w->serializer.is_done()) return self->on_write(keep_alive, ec, n);
      beast::get_lowest_layer(self->stream_).expires_after(self->shared_.a.cfg.attachments.idle_timeout);
      http::async_write_some(self->stream_, w->serializer, std::move(*this));
    }
  };
  next_piece{shared_from_this(), w, keep_alive}({}, 0);
}

// An export may be large and slow to make: written chunk by chunk as a worker makes each
// piece, each write with an idle timer like a download's.
template <class Stream>
void http_session<Stream>::send_stream(streamed_response res) {
  bool keep_alive = res.head.keep_alive();
  auto writer = std::make_shared<chunked_writer<Stream>>(
      stream_, shared_.workers, std::move(res), shared_.a.cfg.attachments.idle_timeout,
      [self = shared_from_this(), keep_alive](bool ok) {
        // A body cut off half-way cannot be answered with an error any more: close, so the
        // client sees an incomplete transfer rather than a complete-looking file.
        self->on_write(keep_alive && ok, {}, 0);
      });
  pending_ = writer;
  writer->run();
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
