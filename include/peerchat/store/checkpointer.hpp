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
// Starting the WAL over: SQLite writes the WAL from its first frame again only when the
// writer begins a transaction after a complete checkpoint. Beside a busy writer a PASSIVE
// checkpoint completes after the writer began its next transaction, so the WAL never started
// over, every later commit found it past the threshold, and each commit paid a checkpoint of
// its own with two more fsyncs (a third of the CPU at one message per commit, issue 15). So
// once this thread has copied the bulk, the writer's next WAL hook copies the last few frames
// itself, between its transactions, as SQLite's own automatic checkpoint would; its next
// transaction then starts the WAL over. If a reader holds an old snapshot and the copy stays
// incomplete, the thread waits before it tries again: 5 ms at first, doubling up to
// `incomplete_retry` while the copy stays incomplete.
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
  // How long the thread leaves the WAL alone after a checkpoint a reader kept incomplete.
  static constexpr std::chrono::milliseconds incomplete_retry{1000};

  explicit checkpointer(std::filesystem::path file);
  ~checkpointer();  // stop()
  checkpointer(checkpointer const&) = delete;
  checkpointer& operator=(checkpointer const&) = delete;

  // A commit left `pages` frames in the WAL (the writer's WAL hook, on the writer thread, with
  // the writer's connection): wakes the thread past the threshold, or finishes the checkpoint
  // the thread has done the bulk of.
  void wal_grew(database& writer_db, int pages);
  // Finishes a checkpoint under way, then joins. Idempotent.
  void stop();

  // TRUNCATE checkpoints that completed (for tests and /metrics).
  std::uint64_t truncations() const { return truncations_.load(std::memory_order_relaxed); }
  // Checkpoints the writer finished so that its next transaction starts the WAL over (the
  // writer's slow-commit log says when a commit included one).
  std::uint64_t restarts_prepared() const { return restarts_prepared_.load(std::memory_order_relaxed); }

 private:
  void run();
  // Reads the erasure counter; nullopt when the table is missing (a database that was not
  // migrated, in some unit tests) or the read failed.
  std::optional<std::int64_t> erasure_count(database& db);
  // PASSIVE then TRUNCATE (the attempt-th since the counter moved); true when the WAL is
  // now empty.
  bool truncate_wal(database& db, int attempt);
  // A PASSIVE checkpoint; false when a reader kept it from copying every frame. When it did
  // copy them, the writer's next WAL hook finishes the checkpoint.
  bool copy_wal(database& db);

  std::filesystem::path file_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;       // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::atomic<bool> committed_{false};  // a commit happened since the counter was last read
  std::atomic<std::uint64_t> truncations_{0};
  std::atomic<bool> copying_{false};      // the thread is copying: commits need not wake it
  std::atomic<bool> bulk_copied_{false};  // the thread copied the whole WAL; the writer finishes
  std::atomic<std::uint64_t> restarts_prepared_{0};
  std::thread thread_;
};

}  // namespace peerchat::store
