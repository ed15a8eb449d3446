// SPDX-License-Identifier: MIT
// Copies the write-ahead log back into the database file on a thread of its own.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

namespace peerchat::store {

class database;

// SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold, so every
// few batches the writer stopped to copy thousands of pages and fsync the database file (a
// tenth of its time in the bench). Here the writer only appends to the WAL and fsyncs it;
// this thread runs PASSIVE checkpoints beside it on a connection of its own, which never
// block the writer or the readers. Durability is unchanged: a commit is durable once the
// WAL is synced, checkpointed or not.
//
// Erasure: a deleted message's text is zeroed in the database's pages (secure_delete), but
// the WAL still holds the frames written before, and a PASSIVE checkpoint never shortens
// the WAL file. So the thread also watches the `erasures` counter (migration 0003, bumped by
// a trigger whenever a body is erased): once it moved, the thread runs a TRUNCATE checkpoint,
// which copies every frame into the database and cuts the WAL to zero bytes. That needs a
// moment with no reader on an older snapshot; it waits at most truncate_busy for one (the
// writer waits meanwhile) and otherwise tries again a second later, until it succeeds.
//
// Thread safety: wal_grew() from the writer thread (a WAL hook); the rest from its owner.
class checkpointer {
 public:
  static constexpr int threshold_pages = 4000;  // 16 MiB of WAL with 4 KiB pages
  // How often the erasure counter is read while commits happen (one indexed row), and how
  // soon a failed TRUNCATE is tried again. Deleted text leaves the WAL within about this.
  static constexpr std::chrono::milliseconds erase_poll{2000};
  static constexpr std::chrono::milliseconds erase_retry{1000};
  // How long a first TRUNCATE waits for the writer lock and then for readers (the writer
  // waits during the latter); later attempts wait longer, up to 2 s.
  static constexpr std::chrono::milliseconds truncate_busy{200};

  explicit checkpointer(std::filesystem::path file);
  ~checkpointer();  // stop()
  checkpointer(checkpointer const&) = delete;
  checkpointer& operator=(checkpointer const&) = delete;

  // A commit left `pages` frames in the WAL; wakes the thread past the threshold.
  void wal_grew(int pages);
  // Finishes a checkpoint under way, then joins. Idempotent.
  void stop();

  // TRUNCATE checkpoints that completed (for tests and /metrics).
  std::uint64_t truncations() const { return truncations_.load(std::memory_order_relaxed); }

 private:
  void run();
  // Reads the erasure counter; nullopt when the table is missing (a database that was not
  // migrated, in some unit tests) or the read failed.
  std::optional<std::int64_t> erasure_count(database& db);
  // PASSIVE then TRUNCATE (the attempt-th since the counter moved); true when the WAL is
  // now empty.
  bool truncate_wal(database& db, int attempt);

  std::filesystem::path file_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;       // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::atomic<bool> committed_{false};  // a commit happened since the counter was last read
  std::atomic<std::uint64_t> truncations_{0};
  std::thread thread_;
};

}  // namespace peerchat::store
