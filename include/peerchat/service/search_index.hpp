// SPDX-License-Identifier: MIT
// Keeping the full-text index (messages_fts) up to date, once per committed batch.
#pragma once
#include "peerchat/store/database.hpp"

namespace peerchat::service {

// Indexes every message noted in fts_pending with its current body, and empties the list.
// Runs on the writer thread inside each batch's transaction, just before COMMIT, so a
// message is searchable from the moment its ack is sent (migration 0002 says why).
void index_new_messages(store::database& db);

}  // namespace peerchat::service
