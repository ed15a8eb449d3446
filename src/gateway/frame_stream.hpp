// SPDX-License-Identifier: MIT
// The stream under a WebSocket session: its frames written whole and in turn.
#pragma once
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace peerchat::gateway {

// Writes the header of one unfragmented, unmasked frame (RFC 6455 §5.2, server to client)
// with `opcode` for a payload of `size` bytes into `out`; returns the header's length (2, 4
// or 10; a control frame's payload is at most 125 bytes, so its header is 2).
inline std::size_t frame_header(std::uint8_t opcode, std::size_t size, std::array<std::uint8_t, 10>& out) {
  out[0] = static_cast<std::uint8_t>(0x80 | opcode);  // FIN
  if (size < 126) {
    out[1] = static_cast<std::uint8_t>(size);
    return 2;
  }
  if (size <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(size >> 8);
    out[3] = static_cast<std::uint8_t>(size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(size) >> (56 - 8 * i));
  return 10;
}

inline std::size_t text_frame_header(std::size_t size, std::array<std::uint8_t, 10>& out) {
  return frame_header(0x1, size, out);
}

// Beast writes one WebSocket message per system call. A member of a busy group has many
// frames pending, and one send() costs more than everything else a delivery does, so the
// session writes its frames itself: every frame pending for the connection in one gathered
// write (async_write_frames). Beast only does the opening handshake (on the stream beneath).
//
// Two kinds of writes share the socket: the data frames, and the control frames (pong,
// keep-alive ping, close) the session's reader calls for while a data write may be under way.
// Each write is written whole before the next one starts, so their bytes never interleave. A
// write that arrives while another is under way waits on `turn_` (a timer that never expires;
// cancel_one wakes the next writer).
//
// Thread safety: none; used on the connection's strand only (the executor of `Next`).
// Server frames are unmasked and uncompressed (permessage-deflate is never negotiated).
template <class Next>
class frame_stream {
 public:
  using executor_type = typename Next::executor_type;

  explicit frame_stream(Next&& next) : next_(std::move(next)), turn_(next_.get_executor()) {
    turn_.expires_at(boost::asio::steady_timer::time_point::max());
  }
  ~frame_stream() { state_->alive = false; }
  frame_stream(frame_stream const&) = delete;
  frame_stream& operator=(frame_stream const&) = delete;

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  Next const& next_layer() const noexcept { return next_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(MutableBuffers const& buffers, Handler&& handler) {
    next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  // The session's frames (headers and payloads, already laid out): written whole, in turn.
  template <class ConstBuffers, class Handler>
  void async_write_frames(ConstBuffers const& buffers, Handler&& handler) {
    write_whole(buffers, std::forward<Handler>(handler));
  }

 private:
  // Outlives the stream in the handlers below: a write may complete after the stream is
  // gone, and must then touch nothing of it.
  struct shared_state {
    bool alive = true;
    bool writing = false;
    int waiting = 0;
  };

  template <class ConstBuffers, class Handler>
  void write_whole(ConstBuffers const& buffers, Handler&& handler) {
    auto& st = *state_;
    if (st.writing) {
      ++st.waiting;
      turn_.async_wait([this, state = state_, buffers, handler = std::forward<Handler>(handler)](
                           boost::beast::error_code) mutable {
        if (!state->alive) return std::move(handler)(boost::asio::error::operation_aborted, std::size_t{0});
        --state->waiting;
        write_whole(buffers, std::move(handler));
      });
      return;
    }
    st.writing = true;
    boost::asio::async_write(next_, buffers,
                             [this, state = state_, handler = std::forward<Handler>(handler)](
                                 boost::beast::error_code ec, std::size_t n) mutable {
                               if (state->alive) {
                                 state->writing = false;
                                 if (state->waiting > 0) turn_.cancel_one();
                               }
                               std::move(handler)(ec, n);
                             });
  }

  Next next_;
  boost::asio::steady_timer turn_;
  std::shared_ptr<shared_state> state_ = std::make_shared<shared_state>();
};

}  // namespace peerchat::gateway
