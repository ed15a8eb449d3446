// SPDX-License-Identifier: MIT
// The background checkpoint thread.
#include "peerchat/store/checkpointer.hpp"
#include "peerchat/core/thread_name.hpp"
#include "peerchat/store/database.hpp"
#include <sqlite3.h>
#include <spdlog/spdlog.h>
#include <algorithm>

namespace peerchat::store {
namespace {
// The first wait after a checkpoint a reader kept incomplete. The reader is often the writer
// itself, which began its transaction on an older read mark while this thread held the newer
// one's lock: gone a moment later. Each incomplete copy in a row doubles the wait, up to
// checkpointer::incomplete_retry for a reader that really holds an old snapshot.
constexpr std::chrono::milliseconds first_incomplete_retry{5};

// A copy slower than this is logged, beside the writer's slow commits: what makes S1's tail
// (docs/performance.md, "S1's tail while the log grows").
constexpr auto slow_copy = std::chrono::milliseconds(100);
}  // namespace

checkpointer::checkpointer(std::filesystem::path file)
    : file_(std::move(file)), thread_([this] {
        name_this_thread("pc-checkpointer");
        run();
      }) {}

checkpointer::~checkpointer() { stop(); }

void checkpointer::wal_grew(database& writer_db, int pages) {
  committed_.store(true, std::memory_order_relaxed);
  if (pages < threshold_pages) {
    // The WAL started over: a copy finished before that is no longer anyone's to finish.
    if (bulk_copied_.load(std::memory_order_relaxed)) bulk_copied_.store(false, std::memory_order_relaxed);
    return;
  }
  if (bulk_copied_.exchange(false, std::memory_order_acq_rel)) {
    // Only the frames of the commits since the thread's checkpoint are left to copy. SQLite's
    // own automatic checkpoint runs in this hook the same way.
    sqlite3_wal_checkpoint_v2(writer_db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    restarts_prepared_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (copying_.load(std::memory_order_acquire)) return;  // the thread is at it already
  std::lock_guard lock(mutex_);
  due_ = true;
  wake_.notify_one();
}

void checkpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

std::optional<std::int64_t> checkpointer::erasure_count(database& db) {
  try {
    auto& st = db.prepare("SELECT count FROM erasures WHERE id = 1");
    std::optional<std::int64_t> out;
    if (st.step()) out = st.int64(0);
    st.reset();  // ends the read transaction: an open one would hold checkpoints back
    return out;
  } catch (std::exception const&) {
    db.reset_all();
    return std::nullopt;
  }
}

bool checkpointer::copy_wal(database& db) {
  int frames = 0, copied = 0;
  auto started = std::chrono::steady_clock::now();
  int rc = sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
  if ((rc & 0xff) == SQLITE_BUSY) return true;  // the writer is finishing one itself
  if (rc != SQLITE_OK) throw sqlite_error(rc, sqlite3_errmsg(db.handle()));
  auto took = std::chrono::steady_clock::now() - started;
  if (took >= slow_copy)
    spdlog::info("store: slow checkpoint: {} of {} WAL frames copied in {:.0f} ms", copied, frames,
                 std::chrono::duration<double, std::milli>(took).count());
  if (copied < frames) return false;
  bulk_copied_.store(true, std::memory_order_release);
  return true;
}

bool checkpointer::truncate_wal(database& db, int attempt) {
  // PASSIVE first, without blocking anyone, so the TRUNCATE has little left to copy while
  // it holds the writer back.
  sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  // Under steady writing the writer lock is rarely free at the first try: wait longer each
  // time (waiting for the lock blocks nobody; only the wait for readers holds the writer).
  auto busy = std::min(truncate_busy * attempt, std::chrono::milliseconds(2000));
  sqlite3_busy_timeout(db.handle(), static_cast<int>(busy.count()));
  int rc = sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_busy_timeout(db.handle(), 5000);
  if (rc == SQLITE_OK) return true;
  if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
    spdlog::warn("store: truncating the WAL after an erasure failed: {}", sqlite3_errmsg(db.handle()));
  return false;
}

void checkpointer::run() {
  std::unique_ptr<database> db;
  std::optional<std::int64_t> erased;  // the counter as of the last empty WAL
  bool erase_pending = false;          // the counter moved; the WAL still needs truncating
  int attempts = 0;                    // TRUNCATEs tried since it moved
  auto incomplete_wait = first_incomplete_retry;
  bool first = true;
  for (;;) {
    bool passive = false;
    {
      std::unique_lock lock(mutex_);
      auto wait = erase_pending ? erase_retry : erase_poll;
      wake_.wait_for(lock, first ? std::chrono::milliseconds(0) : wait, [&] { return due_ || stopping_; });
      if (stopping_) return;
      passive = due_;
      due_ = false;
      if (passive) copying_.store(true, std::memory_order_release);
    }
    try {
      if (!db) db = std::make_unique<database>(file_, database::mode::read_write);
      if (passive) {
        bool complete = copy_wal(*db);
        copying_.store(false, std::memory_order_release);
        if (complete) {
          incomplete_wait = first_incomplete_retry;
        } else {  // a reader holds an old snapshot: wait, rather than copy after every commit
          std::unique_lock lock(mutex_);
          wake_.wait_for(lock, incomplete_wait, [&] { return stopping_; });
          incomplete_wait = std::min(incomplete_wait * 2, incomplete_retry);
        }
      }
      // The counter is read at start (an erasure just before a crash or restart) and after
      // commits; an idle server reads nothing.
      if (first || committed_.exchange(false, std::memory_order_relaxed)) {
        auto now = erasure_count(*db);
        if (now && erased && *now != *erased) erase_pending = true;
        if (now && !erased) {
          erased = now;
          erase_pending = true;  // whatever a previous run left in the WAL
        }
      }
      first = false;
      if (erase_pending) {
        auto before = erasure_count(*db);
        if (truncate_wal(*db, ++attempts)) {
          erase_pending = false;
          attempts = 0;
          if (before) erased = before;
          truncations_.fetch_add(1, std::memory_order_relaxed);
        }
      }
    } catch (std::exception const& e) {
      // Nothing is lost: the frames stay in the WAL and the next wake-up tries again.
      spdlog::warn("store: checkpoint failed: {}", e.what());
      copying_.store(false, std::memory_order_release);  // or no commit would wake the thread again
      db.reset();
      first = false;
    }
  }
}

}  // namespace peerchat::store
