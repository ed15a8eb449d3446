// SPDX-License-Identifier: MIT
// The full-text index's catch-up step.
#include "peerchat/service/search_index.hpp"

namespace peerchat::service {

namespace {
// CROSS JOIN makes fts_pending the outer loop: without statistics the planner would scan
// every message and look each one up in the (tiny) pending list.
constexpr char index_sql[] =
    "INSERT INTO messages_fts(rowid, body) "
    "SELECT m.id, m.body FROM fts_pending p CROSS JOIN messages m ON m.id = p.id WHERE m.body IS NOT NULL";
constexpr char any_pending_sql[] = "SELECT 1 FROM fts_pending LIMIT 1";
constexpr char clear_sql[] = "DELETE FROM fts_pending";
}  // namespace

void index_new_messages(store::database& db) {
  auto& any = db.prepare(any_pending_sql);
  bool pending = any.step();
  any.reset();
  if (!pending) return;  // nothing new: the common case for edits, reads, joins
  db.prepare(index_sql).exec();
  db.prepare(clear_sql).exec();
}

}  // namespace peerchat::service
