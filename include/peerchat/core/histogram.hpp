// SPDX-License-Identifier: MIT
// A Prometheus-style histogram with fixed buckets, safe to observe from any thread.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat {

// Thread safety: observe() and render() from any thread (relaxed atomics: a scrape may
// see one observation half-counted, which Prometheus tolerates).
class histogram {
 public:
  explicit histogram(std::vector<double> upper_bounds);
  void observe(double value) noexcept;
  // The Prometheus text lines (_bucket, _sum, _count) for metric `name`.
  std::string render(std::string_view name) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::atomic<std::uint64_t>> counts_;  // one per bound, plus +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};        // sum × 1e6, kept integral for atomics
};

}  // namespace peerchat
