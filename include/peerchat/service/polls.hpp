// SPDX-License-Identifier: MIT
// Polls: single or multiple choice, optionally anonymous, closed by a person or at a time.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::service {

struct poll_request {
  std::string question;
  std::vector<std::string> options;
  bool multiple = false;
  bool anonymous = false;
  std::optional<millis_t> closes_at;
};

// Anonymous polls (docs/community.md "Polls"): nobody, through the API, the events, the logs
// or the database, can tell who voted for what. A vote is final and leaves only counts plus
// the voter's name on the list of who has voted (so nobody votes twice). Its counts are not
// published at once: every vote of a window of coalesce_ms goes out in one `poll_voted` at
// the window's end (windows are aligned to the poll's creation), and GET answers the
// published counts too, so neither the events nor polling the API time a single vote.
//
// Thread safety: all methods from any worker thread (they block on the store). tick() is
// called by the gateway, never twice at once; next_due_ is only written on the writer thread.
class polls {
 public:
  explicit polls(context& ctx);

  static constexpr std::size_t max_question_chars = 300;
  static constexpr std::size_t max_option_chars = 100;
  static constexpr std::size_t min_options = 2;
  static constexpr std::size_t max_options = 10;
  static constexpr millis_t coalesce_ms = 3000;                       // anonymous count events
  static constexpr millis_t max_open_ms = 366LL * 24 * 3600 * 1000;  // closes_at at most a year ahead

  // POST /groups/{id}/polls → the `poll` event.
  result<event> create(principal const& who, group_id g, poll_request req);
  // PUT …/vote → the poll as GET shows it. An empty list withdraws a (non-anonymous) vote.
  // conflict when the poll is closed, or for a second vote in an anonymous poll.
  result<nlohmann::ordered_json> vote(principal const& who, group_id g, std::int64_t poll, std::vector<std::int64_t> options);
  // POST …/close (its author, an owner or an admin) → the `poll_closed` event.
  result<event> close(principal const& who, group_id g, std::int64_t poll);
  // GET …/polls/{poll_id}: the poll with its published counts and the caller's own vote.
  result<nlohmann::ordered_json> get(principal const& who, group_id g, std::int64_t poll);
  // GET …/polls?state=open|closed: newest first, {"polls":[…],"next_cursor"}.
  result<nlohmann::ordered_json> list(principal const& who, group_id g, std::optional<bool> open,
                                      std::optional<std::int64_t> before_id, int limit);

  // Closes the polls whose closes_at has come and publishes anonymous counts whose window has
  // ended. Returns at once, touching nothing, before the next due time it keeps in memory.
  void tick();

 private:
  context& ctx_;
  std::atomic<millis_t> next_due_;  // the earliest closes_at or publish time in the store
  rate_limiter create_limit_;       // per user: a burst of 5, then one a minute
  rate_limiter vote_limit_;         // per user: a burst of 20, then one a second
};

}  // namespace peerchat::service
