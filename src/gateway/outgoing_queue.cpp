// SPDX-License-Identifier: MIT
// The bounded outgoing queue.
#include "outgoing_queue.hpp"

namespace peerchat::gateway {

bool outgoing_queue::push(frame f) {
  // An empty queue takes any single frame, so a frame larger than the limit still flows
  // to a reader that keeps up.
  if (!empty() && bytes_ + f->size() > limit_) return false;
  bytes_ += f->size();
  frames_.push_back(std::move(f));
  return true;
}

void outgoing_queue::pop(std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    bytes_ -= frames_[head_]->size();
    frames_[head_++].reset();
  }
  if (empty()) {
    frames_ = {};  // gives the memory back: most connections are idle most of the time
    head_ = 0;
  } else if (head_ >= 64 && head_ * 2 >= frames_.size()) {
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void outgoing_queue::drop_pending(std::size_t keep) {
  while (size() > keep) {
    bytes_ -= frames_.back()->size();
    frames_.pop_back();
  }
}

}  // namespace peerchat::gateway
