// SPDX-License-Identifier: MIT
// What the hub needs of a live WebSocket connection (implemented by ws_session).
#pragma once
#include "peerchat/core/ids.hpp"
#include "peerchat/domain/event.hpp"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace peerchat::gateway {

// Thread safety: every method may be called from any thread; implementations post to
// their own strand.
class connection {
 public:
  virtual ~connection() = default;
  virtual user_id user() const noexcept = 0;
  virtual session_id session() const noexcept = 0;
  // Committed events of groups the user belongs to (all this connection gets of one
  // committed batch), in seq order per group.
  virtual void deliver_events(std::vector<event> events) = 0;
  // An ephemeral frame (typing, read marker echo, profile update).
  virtual void deliver_frame(std::shared_ptr<const std::string> frame) = 0;
  // A presence or presence_batch frame. Dropped before `ready`: ready's `online` is read
  // after it, so it already holds every change such a frame carries.
  virtual void deliver_presence(std::shared_ptr<const std::string> frame) = 0;
  // Closes with a WebSocket close code and reason.
  virtual void close_with(std::uint16_t code, std::string reason) = 0;
};

}  // namespace peerchat::gateway
