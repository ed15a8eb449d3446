// SPDX-License-Identifier: MIT
// Copies the write-ahead log back into the database file on a thread of its own.
#pragma once
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace peerchat::store {

// SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold, so every
// few batches the writer stopped to copy thousands of pages and fsync the database file (a
// tenth of its time in the bench). Here the writer only appends to the WAL and fsyncs it;
// this thread runs PASSIVE checkpoints beside it on a connection of its own, which never
// block the writer or the readers. Durability is unchanged: a commit is durable once the
// WAL is synced, checkpointed or not.
//
// Thread safety: wal_grew() from the writer thread (a WAL hook); the rest from its owner.
class checkpointer {
 public:
  static constexpr int threshold_pages = 4000;  // 16 MiB of WAL with 4 KiB pages

  explicit checkpointer(std::filesystem::path file);
  ~checkpointer();  // stop()
  checkpointer(checkpointer const&) = delete;
  checkpointer& operator=(checkpointer const&) = delete;

  // The WAL holds `pages` frames after a commit; wakes the thread past the threshold.
  void wal_grew(int pages);
  // Finishes a checkpoint under way, then joins. Idempotent.
  void stop();

 private:
  void run();

  std::filesystem::path file_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;       // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace peerchat::store
