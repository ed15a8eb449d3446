// SPDX-License-Identifier: MIT
// What every service needs: the store, the clock, the limits, and hooks into the live hub.
#pragma once
#include "peerchat/core/clock.hpp"
#include "peerchat/core/config.hpp"
#include "peerchat/store/reader.hpp"
#include "peerchat/store/writer.hpp"
#include <functional>
#include <vector>

namespace peerchat::service {

// Callbacks into the real-time side, set by the gateway; services work without them.
struct live_hooks {
  std::function<bool(user_id)> is_online;
  std::function<void(session_id)> session_ended;  // close that login's sockets (4001)

  // After the commit that ended them (end_session, end_sessions_of): closes their sockets.
  void sessions_ended(std::vector<session_id> const& ended) const {
    if (session_ended)
      for (session_id s : ended) session_ended(s);
  }
};

struct context {
  store::writer& writer;
  store::reader& reader;
  peerchat::clock const& clock;
  peerchat::config const& config;
  live_hooks hooks;
};

}  // namespace peerchat::service
