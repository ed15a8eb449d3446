// SPDX-License-Identifier: MIT
// Counting open connections per address.
#include "connection_limits.hpp"

namespace peerchat::gateway {

std::shared_ptr<void> connection_limits::admit(boost::asio::ip::address const& peer, bool count_address) {
  {
    std::lock_guard lock(mutex_);
    if (open_ >= total_cap_) {
      ++refused;
      return nullptr;
    }
    if (count_address) {
      auto& n = by_address_[peer];
      if (n >= per_address_cap_) {
        if (n == 0) by_address_.erase(peer);
        ++refused;
        return nullptr;
      }
      ++n;
    }
    ++open_;
  }
  // The slot gives its place back when the last owner (session) lets go of it.
  auto self = shared_from_this();
  return std::shared_ptr<void>(static_cast<void*>(this),  // any non-null pointer
                               [self, peer, count_address](void*) { self->release(peer, count_address); });
}

void connection_limits::release(boost::asio::ip::address const& peer, bool counted) {
  std::lock_guard lock(mutex_);
  --open_;
  if (!counted) return;
  auto it = by_address_.find(peer);
  if (it != by_address_.end() && --it->second == 0) by_address_.erase(it);
}

std::size_t connection_limits::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

}  // namespace peerchat::gateway
