// SPDX-License-Identifier: MIT
#include "upload_receiver.hpp"
#include "peerchat/protocol/wire.hpp"
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace peerchat::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
}  // namespace

template <class Stream>
upload_receiver<Stream>::upload_receiver(app& a, Stream& stream, beast::flat_buffer& buffer, header_parser&& head,
                                         upload_ticket ticket, finish_fn finish)
    : app_(a),
      stream_(stream),
      buffer_(buffer),
      parser_(std::move(head)),
      ticket_(std::move(ticket)),
      finish_(std::move(finish)),
      version_(parser_.get().version()),
      keep_alive_(parser_.get().keep_alive()) {}

template <class Stream>
void upload_receiver<Stream>::run() {
  beast::error_code ec;
  parser_.get().body().open(ticket_.slot.file.c_str(), beast::file_mode::write, ec);
  if (ec) {
    auto res = error_response(version_, make_error(errc::internal, "the upload could not be stored"));
    res.keep_alive(false);
    return give_up(std::move(res));
  }
  // A chunked body is counted as it arrives; a Content-Length was checked before (begin_upload).
  parser_.body_limit(ticket_.slot.max_bytes);
  if (parser_.is_done()) return complete();
  // curl and other clients wait for this before sending a large body.
  auto expect = parser_.get()[http::field::expect];
  if (beast::iequals(expect, "100-continue")) {
    beast::get_lowest_layer(stream_).expires_after(app_.cfg.attachments.idle_timeout);
    asio::async_write(stream_, asio::buffer(continue_line.data(), continue_line.size()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->give_up(std::nullopt);
                        self->read_some();
                      });
    return;
  }
  read_some();
}

template <class Stream>
void upload_receiver<Stream>::read_some() {
  // Idle, not total: each piece that arrives renews it.
  beast::get_lowest_layer(stream_).expires_after(app_.cfg.attachments.idle_timeout);
  http::async_read_some(stream_, buffer_, parser_,
                        beast::bind_front_handler(&upload_receiver<Stream>::on_read, shared_from_this()));
}

template <class Stream>
void upload_receiver<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::body_limit) {
    auto res = error_response(version_, make_error(errc::payload_too_large,
                                                 "the file is larger than " + std::to_string(ticket_.slot.max_bytes) + " bytes"));
    res.keep_alive(false);  // the rest of the body is not read
    return give_up(std::move(res));
  }
  if (ec) return give_up(std::nullopt);  // the client went away, stalled, or sent garbage
  if (!parser_.is_done()) return read_some();
  complete();
}

template <class Stream>
void upload_receiver<Stream>::complete() {
  beast::error_code ec;
  parser_.get().body().close();
  beast::get_lowest_layer(stream_).expires_never();  // the media worker takes its time; the answer renews it
  if (ticket_.avatar) {
    app_.backend.avatars.finish_upload(ticket_.who, ticket_.slot, [self = shared_from_this()](result<user> r) {
      if (r) self->app_.hub.user_updated(*r);
      asio::post(self->stream_.get_executor(), [self, r = std::move(r)] {
        http_response res = r ? json_response(self->version_, 200, protocol::to_json(*r).dump())
                              : error_response(self->version_, r.error());
        res.keep_alive(self->keep_alive_);
        self->finish_(std::move(res));
      });
    });
    return;
  }
  app_.attachments.finish_upload(ticket_.who, ticket_.slot,
                                 [self = shared_from_this()](result<attachment_info> r) {
                                   // On a media worker (or the writer thread): back to the strand.
                                   asio::post(self->stream_.get_executor(), [self, r = std::move(r)] {
                                     http_response res = r ? json_response(self->version_, 201, attachment_json(*r).dump())
                                                           : error_response(self->version_, r.error());
                                     res.keep_alive(self->keep_alive_);
                                     self->finish_(std::move(res));
                                   });
                                 });
}

template <class Stream>
void upload_receiver<Stream>::give_up(std::optional<http_response> answer) {
  parser_.get().body().close();
  if (ticket_.avatar)
    app_.backend.avatars.abandon_upload(ticket_.slot);
  else
    app_.attachments.abandon_upload(ticket_.slot);
  finish_(std::move(answer));
}

template class upload_receiver<beast::tcp_stream>;
template class upload_receiver<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace peerchat::gateway
