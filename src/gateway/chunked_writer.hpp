// SPDX-License-Identifier: MIT
// Writes a response whose body comes from a body_source, with HTTP/1.1 chunked encoding: the
// header, then each piece as a chunk as soon as a worker made it, then the last chunk.
#pragma once
#include "body_source.hpp"
#include "worker_pool.hpp"
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <spdlog/spdlog.h>

namespace peerchat::gateway {

// Thread safety: runs on the stream's executor (the session's strand); only the source's
// next() runs on a worker, and its piece is posted back. One piece is in memory at a time:
// the next is asked for only after the previous one was written.
template <class Stream>
class chunked_writer : public std::enable_shared_from_this<chunked_writer<Stream>> {
 public:
  // done(ok) runs once, on the strand: ok when the whole body (and the last chunk) went out.
  chunked_writer(Stream& stream, worker_pool& workers, streamed_response res, std::chrono::seconds idle_timeout,
                 std::function<void(bool ok)> done)
      : stream_(stream), workers_(workers), head_(std::move(res.head)), source_(std::move(res.source)),
        idle_timeout_(idle_timeout), done_(std::move(done)) {
    head_.chunked(true);
  }

  void run() {
    arm_timer();
    boost::beast::http::async_write_header(stream_, serializer_,
                                           [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                                             if (ec) return self->finish(false);
                                             self->fetch();
                                           });
  }

 private:
  // Asks a worker for the next piece; each write gets its own idle timer (a slow phone may
  // take minutes for the whole export), as downloads do.
  void fetch() {
    auto self = this->shared_from_this();
    bool posted = workers_.try_post(
        "export piece",
        [self] {
          auto piece = self->source_->next();
          boost::asio::post(self->stream_.get_executor(), [self, piece = std::move(piece)]() mutable {
            self->write(std::move(piece));
          });
        },
        [self](error const& e) {
          spdlog::warn("a streamed response stopped: {}", e.message);
          boost::asio::post(self->stream_.get_executor(), [self] { self->finish(false); });
        });
    if (!posted) finish(false);  // the pool is full: cut the body off rather than wait unbounded
  }

  void write(std::optional<std::string> piece) {
    arm_timer();
    auto self = this->shared_from_this();
    if (!piece) {
      // asio's async_write keeps its own copy of the chunk's buffer sequence.
      return boost::asio::async_write(stream_, boost::beast::http::make_chunk_last(),
                                             [self](boost::beast::error_code ec, std::size_t) { self->finish(!ec); });
    }
    piece_ = std::move(*piece);
    boost::asio::async_write(stream_, boost::beast::http::make_chunk(boost::asio::buffer(piece_)),
                                    [self](boost::beast::error_code ec, std::size_t) {
                                      if (ec) return self->finish(false);
                                      self->fetch();
                                    });
  }

  void arm_timer() { boost::beast::get_lowest_layer(stream_).expires_after(idle_timeout_); }

  void finish(bool ok) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(ok);
  }

  Stream& stream_;
  worker_pool& workers_;
  stream_head head_;
  boost::beast::http::response_serializer<boost::beast::http::empty_body> serializer_{head_};
  std::shared_ptr<body_source> source_;
  std::string piece_;  // the chunk being written
  std::chrono::seconds idle_timeout_;
  std::function<void(bool)> done_;
};

}  // namespace peerchat::gateway
