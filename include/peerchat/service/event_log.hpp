// SPDX-License-Identifier: MIT
// Appends to a group's event log inside the writer's transaction.
#pragma once
#include "peerchat/domain/event.hpp"
#include "peerchat/store/writer.hpp"
#include <nlohmann/json.hpp>
#include <optional>

namespace peerchat::service {

struct event_fields {
  group_id group{};
  event_kind kind{};
  millis_t ts = 0;
  std::optional<user_id> actor;
  std::optional<seq_t> target_seq;
  user_id subject{};               // membership events: the member concerned
  nlohmann::ordered_json body;     // the kind's own fields, placed at the top level
};

// Gives the event the group's next seq, stores it as the JSON clients receive, and adds it
// to `out` for publication after the commit. Must run on the writer thread.
event append_event(store::database& db, store::event_list& out, event_fields fields);

// The stored JSON text of one event, if it exists.
std::optional<std::string> stored_event(store::database& db, group_id g, seq_t seq);

}  // namespace peerchat::service
