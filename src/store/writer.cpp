// SPDX-License-Identifier: MIT
// The writer thread and its group commit.
#include "peerchat/store/writer.hpp"
#include "group_commit.hpp"
#include "peerchat/core/exception_text.hpp"
#include "peerchat/core/thread_name.hpp"
#include <algorithm>
#include <chrono>
#include <sqlite3.h>
#include <spdlog/spdlog.h>

namespace peerchat::store {

writer::writer(std::filesystem::path const& file, std::size_t max_queue)
    : db_(file, database::mode::read_write), checkpointer_(file), max_queue_(std::max<std::size_t>(1, max_queue)) {
  // Replaces SQLite's automatic checkpoint on this connection (a WAL hook does).
  sqlite3_wal_hook(
      db_.handle(),
      [](void* self, sqlite3*, char const*, int pages) {
        auto* w = static_cast<writer*>(self);
        w->checkpointer_.wal_grew(w->db_, pages);
        return SQLITE_OK;
      },
      this);
  thread_ = std::thread([this] {
    name_this_thread("pc-writer");
    run();
  });
}

writer::~writer() { stop(); }

void writer::set_publisher(publish_fn publisher) { publisher_ = std::move(publisher); }

void writer::set_before_commit(std::function<void(database&)> step) {
  std::lock_guard lock(mutex_);
  before_commit_ = std::move(step);
}

bool writer::post(work_fn work, done_fn done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      if (queue_.size() >= max_queue_) {  // push back rather than grow without bound
        stats_.refused++;
        return false;
      }
      queue_.push_back({std::move(work), std::move(done)});
      wake_.notify_one();
      return true;
    }
  }
  if (done) done(false);  // shutting down: nothing more is accepted
  return true;
}

void writer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
    checkpointer_.stop();
  }
}

writer::stats writer::statistics() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void writer::run() {
  std::vector<job> batch;
  group_commit grouping;
  auto last_commit = std::chrono::steady_clock::time_point{};
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      auto const now = std::chrono::steady_clock::now();
      std::size_t const waiting = queue_.size();
      std::size_t const company = grouping.company(waiting, now - last_commit);
      if (company > waiting && !stopping_) {
        wake_.wait_until(lock, now + group_commit::linger, [&] { return stopping_ || queue_.size() >= company; });
        grouping.waited(waiting, queue_.size());
      }
      // Bound the batch so one transaction never holds the lock for long.
      while (!queue_.empty() && batch.size() < 1024) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      grouping.committed(batch.size());
      stats_.batches++;
      stats_.jobs += batch.size();
      stats_.largest_batch = std::max(stats_.largest_batch, batch.size());
    }
    commit_batch(batch);
    batch.clear();
    last_commit = std::chrono::steady_clock::now();
  }
}

namespace {
// A commit slower than this is logged with where its time went (docs/performance.md, "The S1
// tail"): the jobs' statements, the batch's index step, and COMMIT itself (the WAL write and
// its fsync). Slow commits are what make S1's p99.
constexpr auto slow_commit = std::chrono::milliseconds(10);

double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
}  // namespace

void writer::commit_batch(std::vector<job>& batch) {
  event_list events;
  bool committed = false;
  std::function<void(database&)> before_commit;
  {
    std::lock_guard lock(mutex_);
    before_commit = before_commit_;
  }
  auto started = std::chrono::steady_clock::now();
  try {
    transaction tx(db_);
    for (auto& j : batch) {
      db_.prepare("SAVEPOINT job").exec();  // prepared once: this runs for every job
      event_list job_events;
      try {
        j.work(db_, job_events);
        db_.reset_all();
        db_.prepare("RELEASE job").exec();
        for (auto& e : job_events) events.push_back(std::move(e));
      } catch (...) {
        db_.reset_all();
        spdlog::warn("store: a write failed and was rolled back: {}", describe(std::current_exception()));
        db_.exec("ROLLBACK TO job");
        db_.exec("RELEASE job");
      }
    }
    db_.reset_all();
    auto jobs_done = std::chrono::steady_clock::now();
    if (before_commit) {
      before_commit(db_);
      db_.reset_all();
    }
    auto index_done = std::chrono::steady_clock::now();
    auto const checkpoints_before = checkpointer_.restarts_prepared();
    tx.commit();
    committed = true;
    auto now = std::chrono::steady_clock::now();
    if (now - started >= slow_commit)
      spdlog::info("store: slow commit: {:.1f} ms for {} jobs (statements {:.1f} ms, index step {:.1f} ms, COMMIT {:.1f} ms{})",
                   ms(now - started), batch.size(), ms(jobs_done - started), ms(index_done - jobs_done), ms(now - index_done),
                   checkpointer_.restarts_prepared() != checkpoints_before ? ", with the end of a checkpoint" : "");
  } catch (...) {
    spdlog::error("store: commit of {} jobs failed: {}", batch.size(), describe(std::current_exception()));
  }
  if (committed) {
    batch_sizes.observe(static_cast<double>(batch.size()));
    commit_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    std::lock_guard lock(mutex_);
    stats_.events += events.size();
  }
  if (committed && publisher_ && !events.empty()) publisher_(events);
  for (auto& j : batch)
    if (j.done) j.done(committed);
}

}  // namespace peerchat::store
