// SPDX-License-Identifier: MIT
// A log-linear latency histogram (HdrHistogram's idea, 64 sub-buckets per power of two, < 1.6 % error).
#pragma once
#include <array>
#include <cstdint>

namespace peerchat::bench {

// Thread safety: none; each load worker owns one and they are merged after the run.
class histogram {
 public:
  void record(std::uint64_t value);
  void merge(histogram const& other);
  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // The value at quantile q in [0, 1] (the middle of its bucket; exact below 128).
  std::uint64_t quantile(double q) const;

 private:
  static constexpr int buckets = 59 * 64 + 64;
  static int index_of(std::uint64_t v);
  static std::uint64_t middle_of(int index);
  std::array<std::uint64_t, buckets> counts_{};
  std::uint64_t count_ = 0, max_ = 0, min_ = UINT64_MAX, sum_ = 0;
};

}  // namespace peerchat::bench
