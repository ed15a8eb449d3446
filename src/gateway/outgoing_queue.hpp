// SPDX-License-Identifier: MIT
// A connection's bounded, byte-counted queue of frames waiting to be written.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace peerchat::gateway {

// Thread safety: none; owned by one connection and used on its strand only.
//
// Frames are shared, immutable buffers: one serialized event is queued on every member's
// connection without a copy. The limit counts the bytes this connection holds, so one slow
// reader costs the server at most `limit` bytes before it is cut off. An empty queue holds
// no memory (a std::deque would keep a 512-byte block for every idle connection).
class outgoing_queue {
 public:
  using frame = std::shared_ptr<const std::string>;

  explicit outgoing_queue(std::size_t limit_bytes) : limit_(limit_bytes) {}

  // Adds a frame; false (and nothing added) when it would exceed the limit.
  bool push(frame f);
  bool empty() const noexcept { return head_ == frames_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t size() const noexcept { return frames_.size() - head_; }
  // The i-th frame from the front.
  frame const& at(std::size_t i) const { return frames_[head_ + i]; }
  // Removes the first n frames (they were written).
  void pop(std::size_t n);
  // Drops every frame after the first `keep` (those are being written).
  void drop_pending(std::size_t keep);

 private:
  std::size_t limit_;
  std::size_t bytes_ = 0;
  std::vector<frame> frames_;  // frames_[head_..] are queued
  std::size_t head_ = 0;
};

}  // namespace peerchat::gateway
