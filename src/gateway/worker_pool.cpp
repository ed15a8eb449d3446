// SPDX-License-Identifier: MIT
// The bounded, exception-safe worker pool.
#include "worker_pool.hpp"
#include "peerchat/core/exception_text.hpp"
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>
#include <exception>

namespace peerchat::gateway {

worker_pool::worker_pool(std::size_t threads, std::size_t max_tasks) : pool_(threads), max_tasks_(max_tasks) {}

worker_pool::~worker_pool() { join(); }

error worker_pool::busy() {
  error e = make_error(errc::rate_limited, "the server is busy; try again shortly");
  e.retry_after_ms = retry_after_ms;
  return e;
}

bool worker_pool::try_post(char const* what, work_fn work, failure_fn on_failure) {
  // Reserve a slot first: two threads racing for the last one cannot both get it.
  if (tasks_.fetch_add(1, std::memory_order_relaxed) >= max_tasks_) {
    tasks_.fetch_sub(1, std::memory_order_relaxed);
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  boost::asio::post(pool_, [this, what, work = std::move(work), on_failure = std::move(on_failure)] {
    try {
      work();
    } catch (...) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("worker: {} failed: {}", what, describe(std::current_exception()));
      try {
        if (on_failure) on_failure(make_error(errc::internal, "the server could not complete this request"));
      } catch (...) {
        spdlog::error("worker: reporting the failure of {} failed too: {}", what, describe(std::current_exception()));
      }
    }
    tasks_.fetch_sub(1, std::memory_order_relaxed);
  });
  return true;
}

void worker_pool::join() { pool_.join(); }

}  // namespace peerchat::gateway
