// SPDX-License-Identifier: MIT
// The single writer thread: owns the write connection and commits queued jobs together.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/histogram.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/store/checkpointer.hpp"
#include "peerchat/store/database.hpp"
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <optional>
#include <mutex>
#include <thread>
#include <vector>

namespace peerchat::store {

// Events a job produced; published after the batch that holds them commits.
using event_list = std::vector<event>;

// Thread safety: post() and call() from any thread; the work runs on the writer thread.
//
// Group commit: everything queued when the writer wakes runs in one BEGIN IMMEDIATE
// transaction, each job inside its own SAVEPOINT so a failing job rolls back alone. One
// fsync then covers the whole batch. After COMMIT the batch's events go to the publisher in
// commit order (which is seq order per group), then each job's completion runs.
// Checkpoints happen on the checkpointer's thread, never inside the writer's COMMIT.
class writer {
 public:
  using work_fn = std::function<void(database&, event_list&)>;
  using done_fn = std::function<void(bool committed)>;
  using publish_fn = std::function<void(event_list const&)>;

  static constexpr std::size_t default_max_queue = 10'000;

  // max_queue: jobs waiting (not yet in a transaction) before post() refuses more.
  explicit writer(std::filesystem::path const& file, std::size_t max_queue = default_max_queue);
  ~writer();  // drains the queue, then stops

  // Called on the writer thread after each commit with the batch's events, in order.
  void set_publisher(publish_fn publisher);

  // Runs inside every batch's transaction after its jobs, just before COMMIT (the full-text
  // index catches up there, in bulk, when enough waits). If it throws, the batch fails.
  void set_before_commit(std::function<void(database&)> step);

  // Queues a job. `work` may throw to fail the job (its savepoint is rolled back);
  // `done(committed)` runs on the writer thread after the batch commits or fails.
  // The queue is bounded: when max_queue jobs already wait, post() returns false and runs
  // neither `work` nor `done`, so the caller can answer "busy" instead of the queue growing.
  // After stop(), done(false) runs at once (and post returns true).
  bool post(work_fn work, done_fn done);

  // Runs f(database&, event_list&) on the writer thread and waits for the commit.
  // F returns a result<T>; an exception or a failed commit becomes errc::internal, a full
  // queue errc::rate_limited (retry_after_ms 1000) without running f.
  template <class F>
  auto call(F f) -> decltype(f(std::declval<database&>(), std::declval<event_list&>()));

  // Stops taking jobs, commits what is queued, joins the thread. Idempotent.
  void stop();

  struct stats {
    std::uint64_t batches = 0;
    std::uint64_t jobs = 0;
    std::uint64_t events = 0;
    std::size_t largest_batch = 0;
    std::uint64_t refused = 0;  // posts refused because the queue was full
  };
  stats statistics() const;
  // Jobs per committed transaction, and the seconds from BEGIN to the end of COMMIT.
  histogram batch_sizes{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}};
  histogram commit_seconds{{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1}};

 private:
  struct job {
    work_fn work;
    done_fn done;
  };
  void run();
  void commit_batch(std::vector<job>& batch);

  database db_;
  checkpointer checkpointer_;  // takes the WAL checkpoints off this thread
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;      // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  std::size_t max_queue_;
  stats stats_;                // guarded by mutex_
  publish_fn publisher_;       // set before the first post
  std::function<void(database&)> before_commit_;  // guarded by mutex_
  std::thread thread_;
};

// What a refused post() becomes for a client: rate_limited, try again in a second.
inline peerchat::error busy_error() {
  return peerchat::error{errc::rate_limited, "the server is busy; try again shortly", 1000};
}

template <class F>
auto writer::call(F f) -> decltype(f(std::declval<database&>(), std::declval<event_list&>())) {
  using R = decltype(f(std::declval<database&>(), std::declval<event_list&>()));
  auto out = std::make_shared<std::optional<R>>();
  std::promise<void> finished;
  auto future = finished.get_future();
  bool queued = post([&f, out](database& db, event_list& events) { out->emplace(f(db, events)); },
                     [out, &finished](bool committed) {
                       if (!committed || !out->has_value())
                         *out = R(peerchat::error{errc::internal, "the store could not save this change", 0});
                       finished.set_value();
                     });
  if (!queued) return R(busy_error());
  future.wait();
  return std::move(**out);
}

}  // namespace peerchat::store
