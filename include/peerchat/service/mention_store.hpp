// SPDX-License-Identifier: MIT
// Mentions as stored beside the messages (table `mentions`, migration 0004).
#pragma once
#include "peerchat/core/ids.hpp"
#include "peerchat/store/database.hpp"
#include <cstdint>
#include <string_view>
#include <vector>

namespace peerchat::service {

// Finds whom `body` mentions among the group's members (service/mentions.hpp) and stores
// it for the message at seq, replacing what an earlier version stored. Writer thread only.
std::vector<std::int64_t> store_mentions(store::database& db, group_id g, seq_t seq, user_id sender,
                                         std::string_view body, millis_t ts);

// The stored mentions of the message at seq, by user id.
std::vector<std::int64_t> stored_mentions(store::database& db, group_id g, seq_t seq);

}  // namespace peerchat::service
