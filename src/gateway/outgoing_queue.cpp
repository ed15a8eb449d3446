// SPDX-License-Identifier: MIT
// The bounded outgoing queue.
#include "outgoing_queue.hpp"

namespace peerchat::gateway {

bool outgoing_queue::push(frame f) {
  // An empty queue takes any single frame, so a frame larger than the limit still flows
  // to a reader that keeps up.
  if (!frames_.empty() && bytes_ + f->size() > limit_) return false;
  bytes_ += f->size();
  frames_.push_back(std::move(f));
  return true;
}

void outgoing_queue::pop() {
  bytes_ -= frames_.front()->size();
  frames_.pop_front();
}

void outgoing_queue::drop_pending(bool keep_front) {
  std::size_t keep = keep_front && !frames_.empty() ? 1 : 0;
  while (frames_.size() > keep) {
    bytes_ -= frames_.back()->size();
    frames_.pop_back();
  }
}

}  // namespace peerchat::gateway
