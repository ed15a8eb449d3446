// SPDX-License-Identifier: MIT
// Kudos: a member thanks another, optionally for one of their messages; the group's wall.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace peerchat::service {

struct kudos_request {
  user_id to{};
  std::string note;
  std::optional<seq_t> seq;  // a message of the recipient's that the kudos is for
};

// GET /groups/{id}/kudos: the wall's filters and page.
struct kudos_query {
  std::optional<millis_t> since;     // only kudos given at or after this time ("this month")
  std::optional<user_id> member;     // only kudos this member received ("per member")
  std::optional<std::int64_t> before_id;  // the cursor: kudos older than this one
  int limit = 50;
};

// Thread safety: all methods from any worker thread (they block on the store).
class kudos {
 public:
  explicit kudos(context& ctx);

  static constexpr std::size_t max_note_chars = 280;

  // POST /groups/{id}/kudos → the `kudos` event. bad_request for oneself, for someone who is
  // not a member, or for a seq that is not a live message by the recipient.
  result<event> give(principal const& who, group_id g, kudos_request req);

  // DELETE /groups/{id}/kudos/{kudos_id} → the `kudos_removed` event. Its giver withdraws it, or
  // an owner or admin of the group removes it (forbidden for anyone else). The kudos leaves the
  // wall and its note is erased from the stored `kudos` event, which then says "deleted":true.
  result<event> withdraw(principal const& who, group_id g, std::int64_t kudos_id);

  // {"kudos":[…] newest first,"totals":[{user_id,display_name,count}] most first,"next_cursor"}.
  result<nlohmann::ordered_json> list(principal const& who, group_id g, kudos_query q);

 private:
  context& ctx_;
  rate_limiter give_limit_;  // per giver: a burst of 10, then one a minute
};

}  // namespace peerchat::service
