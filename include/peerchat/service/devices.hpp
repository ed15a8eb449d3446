// SPDX-License-Identifier: MIT
// Devices: the sessions of one's own account (which browser, since when, last seen), and
// ending them. Ending one deletes its push subscriptions and closes its sockets with 4001,
// like a logout (end_session and hooks.session_ended).
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/service/last_seen.hpp"
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::service {

struct device_session {
  session_id id{};
  millis_t created_at = 0;
  millis_t last_seen_at = 0;
  std::string user_agent;
  std::string device;  // device_label(user_agent)
  bool current = false;
};

// Thread safety: all methods from any worker thread.
class devices {
 public:
  // A User-Agent is kept up to this many bytes (real ones are 100–300).
  static constexpr std::size_t max_user_agent_bytes = 512;

  devices(context& ctx, last_seen& seen);

  // Stores the browser that made session s (cut to max_user_agent_bytes, bytes outside
  // printable ASCII replaced by '?') and marks it seen now. Called by every login path.
  result<void> record_login(session_id s, std::string_view user_agent);
  // The caller's sessions, newest first, the caller's own marked current.
  result<std::vector<device_session>> list(principal const& who);
  // Ends one of the caller's sessions (their current one too: that is a logout); not_found
  // for a session that is not theirs.
  result<void> end(principal const& who, session_id s);
  // Ends every session of the caller but the one making the request.
  result<void> end_others(principal const& who);

  static std::string clean_user_agent(std::string_view ua);

 private:
  context& ctx_;
  last_seen& seen_;
};

}  // namespace peerchat::service
