// SPDX-License-Identifier: MIT
// The worker pool: work that throws is reported, not fatal; a full pool refuses new work.
#include "gateway/worker_pool.hpp"

#include <gtest/gtest.h>
#include <future>
#include <stdexcept>
#include <thread>
#include <chrono>

namespace peerchat::gateway {
namespace {

TEST(gateway_worker_pool, WorkThatThrowsIsReportedAsInternalAndThePoolGoesOn) {
  worker_pool pool(1, 16);
  std::promise<error> failure;
  ASSERT_TRUE(pool.try_post(
      "test", [] { throw std::runtime_error("disk I/O error"); }, [&](error const& e) { failure.set_value(e); }));
  auto e = failure.get_future().get();
  EXPECT_EQ(e.code, errc::internal);
  EXPECT_FALSE(e.message.empty());

  std::promise<int> later;
  ASSERT_TRUE(pool.try_post("test", [&] { later.set_value(42); }, nullptr));
  EXPECT_EQ(later.get_future().get(), 42);
  EXPECT_EQ(pool.failed(), 1u);
}

TEST(gateway_worker_pool, AFailureCallbackThatThrowsIsContainedToo) {
  worker_pool pool(1, 16);
  ASSERT_TRUE(pool.try_post("test", [] { throw 7; }, [](error const&) { throw std::runtime_error("again"); }));
  std::promise<void> after;
  ASSERT_TRUE(pool.try_post("test", [&] { after.set_value(); }, nullptr));
  after.get_future().get();
}

TEST(gateway_worker_pool, AFullPoolRefusesUntilWorkFinishes) {
  worker_pool pool(1, 2);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.try_post("blocker", [&, released] { started.set_value(); released.wait(); }, nullptr));
  started.get_future().wait();
  std::promise<void> second_ran;
  ASSERT_TRUE(pool.try_post("queued", [&] { second_ran.set_value(); }, nullptr));
  EXPECT_FALSE(pool.try_post("refused", [] { ADD_FAILURE() << "a refused task ran"; }, nullptr));
  EXPECT_EQ(pool.refused(), 1u);

  release.set_value();
  second_ran.get_future().wait();
  // Both slots come back once the work is done; the pool takes work again.
  std::promise<void> third_ran;
  // (The slot is given back just after the work returns: wait for it, bounded.)
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pool.try_post("again", [&] { third_ran.set_value(); }, nullptr) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  third_ran.get_future().wait();
  EXPECT_EQ(worker_pool::busy().code, errc::rate_limited);
  EXPECT_GT(worker_pool::busy().retry_after_ms, 0);
}

}  // namespace
}  // namespace peerchat::gateway
