// SPDX-License-Identifier: MIT
// The full-text index's catch-up step, and when the writer takes it.
#include "peerchat/service/search_index.hpp"

namespace peerchat::service {

namespace {
// CROSS JOIN makes fts_pending the outer loop: without statistics the planner would scan
// every message and look each one up in the (tiny) pending list.
constexpr char index_sql[] =
    "INSERT INTO messages_fts(rowid, body) "
    "SELECT m.id, m.body FROM fts_pending p CROSS JOIN messages m ON m.id = p.id WHERE m.body IS NOT NULL";
constexpr char any_pending_sql[] = "SELECT 1 FROM fts_pending LIMIT 1";
constexpr char count_pending_sql[] = "SELECT count(*) FROM fts_pending";
constexpr char clear_sql[] = "DELETE FROM fts_pending";

void index_waiting_messages(store::database& db) {
  db.prepare(index_sql).exec();
  db.prepare(clear_sql).exec();
}
}  // namespace

void index_new_messages(store::database& db) {
  // Asked again on the writer: another search's catch-up may have indexed them meanwhile.
  if (messages_wait_for_index(db)) index_waiting_messages(db);
}

bool messages_wait_for_index(store::database& db) {
  auto& any = db.prepare(any_pending_sql);
  bool pending = any.step();
  any.reset();
  return pending;
}

void deferred_indexer::before_commit(store::database& db) {
  auto& count = db.prepare(count_pending_sql);  // fts_pending stays a page or two: cheap to count
  count.step();
  std::int64_t waiting = count.int64(0);
  count.reset();
  if (waiting == 0) {
    waiting_since_.reset();
    return;
  }
  millis_t now = clock_.now();
  if (!waiting_since_) waiting_since_ = now;
  if (waiting < batch_messages && now - *waiting_since_ < max_wait_ms) return;
  index_waiting_messages(db);  // the count said some wait: no need to ask again
  waiting_since_.reset();
}

}  // namespace peerchat::service
