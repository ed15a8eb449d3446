// SPDX-License-Identifier: MIT
// The worker threads that run store work for connections: bounded, and never let an
// exception out.
#pragma once
#include "peerchat/core/error.hpp"
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace peerchat::gateway {

// Thread safety: try_post() and the counters from any thread; join() from the thread that
// stops the server.
//
// Every piece of work posted for a client goes through try_post, which
// - refuses it (returns false, runs nothing) when `max_tasks` are already queued or running,
//   so a flood of requests meets push-back (rate_limited / 503) instead of a growing queue;
// - catches whatever the work throws (a failed SQLite call: disk error, no file
//   descriptors), logs it, and calls `on_failure` with an `internal` error so the client
//   hears about it. An exception escaping an asio::thread_pool handler would call
//   std::terminate and take every other client down with it.
class worker_pool {
 public:
  using work_fn = std::function<void()>;
  using failure_fn = std::function<void(error const&)>;

  // How long a refused client is told to wait before trying again.
  static constexpr std::int64_t retry_after_ms = 500;

  worker_pool(std::size_t threads, std::size_t max_tasks);
  ~worker_pool();
  worker_pool(worker_pool const&) = delete;
  worker_pool& operator=(worker_pool const&) = delete;

  // `what` names the work in the log line ("hello", "replay page", …; a string literal).
  // on_failure runs on the worker thread; it must not throw either (if it does, that is
  // logged too).
  [[nodiscard]] bool try_post(char const* what, work_fn work, failure_fn on_failure);

  // Waits for the queued work to finish and stops the threads.
  void join();

  // The error a refused client gets.
  static error busy();

  std::size_t tasks() const noexcept { return tasks_.load(std::memory_order_relaxed); }
  std::size_t max_tasks() const noexcept { return max_tasks_; }
  std::uint64_t refused() const noexcept { return refused_.load(std::memory_order_relaxed); }
  std::uint64_t failed() const noexcept { return failed_.load(std::memory_order_relaxed); }

 private:
  boost::asio::thread_pool pool_;
  std::size_t const max_tasks_;
  std::atomic<std::size_t> tasks_{0};  // queued or running
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace peerchat::gateway
