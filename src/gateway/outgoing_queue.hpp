// SPDX-License-Identifier: MIT
// A connection's bounded, byte-counted queue of frames waiting to be written.
#pragma once
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace peerchat::gateway {

// Thread safety: none; owned by one connection and used on its strand only.
//
// Frames are shared, immutable buffers: one serialized event is queued on every member's
// connection without a copy. The limit counts the bytes this connection holds, so one slow
// reader costs the server at most `limit` bytes before it is cut off.
class outgoing_queue {
 public:
  using frame = std::shared_ptr<const std::string>;

  explicit outgoing_queue(std::size_t limit_bytes) : limit_(limit_bytes) {}

  // Adds a frame; false (and nothing added) when it would exceed the limit.
  bool push(frame f);
  bool empty() const noexcept { return frames_.empty(); }
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t size() const noexcept { return frames_.size(); }
  frame const& front() const { return frames_.front(); }
  void pop();
  // Drops every frame, or every frame but the first when keep_front (it is being written).
  void drop_pending(bool keep_front);

 private:
  std::size_t limit_;
  std::size_t bytes_ = 0;
  std::deque<frame> frames_;
};

}  // namespace peerchat::gateway
