// SPDX-License-Identifier: MIT
// One upload's body, streamed from the socket into the temporary file the attachments
// service handed out (upload_slot.file): the body is never held in memory, only the
// connection's read buffer. Each piece renews an idle timer (cfg.attachments.idle_timeout),
// so a phone sending 25 MiB slowly succeeds while it keeps sending; past slot.max_bytes the
// answer is 413 and the temporary file is removed, as it is when the client goes away.
#pragma once
#include "app.hpp"
#include "request_handler.hpp"
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <optional>

namespace peerchat::gateway {

// Thread safety: used only on the session's strand; the service's answer (from a media
// worker) is posted back to it.
template <class Stream>
class upload_receiver : public std::enable_shared_from_this<upload_receiver<Stream>> {
 public:
  using header_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  // The answer to write (201 or an error), or nullopt: close the connection without one.
  using finish_fn = std::function<void(std::optional<http_response>)>;

  // `head` has read the header only; `stream` and `buffer` are the session's and outlive
  // this (finish captures the session).
  upload_receiver(app& a, Stream& stream, boost::beast::flat_buffer& buffer, header_parser&& head,
                  upload_ticket ticket, finish_fn finish);
  void run();

 private:
  void read_some();
  void on_read(boost::beast::error_code ec, std::size_t n);
  void complete();
  void give_up(std::optional<http_response> answer);
  using std::enable_shared_from_this<upload_receiver<Stream>>::shared_from_this;

  app& app_;
  Stream& stream_;
  boost::beast::flat_buffer& buffer_;
  boost::beast::http::request_parser<boost::beast::http::file_body> parser_;
  upload_ticket ticket_;
  finish_fn finish_;
  unsigned version_;
  bool keep_alive_;
};

}  // namespace peerchat::gateway
