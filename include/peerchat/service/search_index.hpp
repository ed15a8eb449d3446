// SPDX-License-Identifier: MIT
// Keeping the full-text index (messages_fts) up to date, off the path of each message's commit.
#pragma once
#include "peerchat/core/clock.hpp"
#include "peerchat/store/database.hpp"
#include <cstdint>
#include <optional>

namespace peerchat::service {

// Indexes every message noted in fts_pending with its current body, and empties the list.
void index_new_messages(store::database& db);

// True when messages wait in fts_pending (on any connection: a search asks on the reader).
bool messages_wait_for_index(store::database& db);

// When the writer indexes. A new message is only noted in fts_pending (migration 0002's
// trigger); indexing it is most of the cost of a small commit (FTS5 writes a segment per
// indexing statement), so at light load, where each commit holds one or two messages, the
// writer indexes in bulk instead: in the batch's transaction once `batch_messages` wait or
// the first of them has waited `max_wait_ms`. A search first indexes whatever waits
// (messages::search), so no one ever misses a message; a crash loses nothing either, since
// fts_pending is committed with the messages.
// Thread safety: before_commit() runs on the writer thread only.
class deferred_indexer {
 public:
  static constexpr std::int64_t batch_messages = 256;
  static constexpr millis_t max_wait_ms = 1000;

  explicit deferred_indexer(peerchat::clock const& clock) : clock_(clock) {}

  // The writer's before-commit step.
  void before_commit(store::database& db);

 private:
  peerchat::clock const& clock_;
  std::optional<millis_t> waiting_since_;  // when a commit first left messages unindexed
};

}  // namespace peerchat::service
