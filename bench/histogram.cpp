// SPDX-License-Identifier: MIT
// A log-linear latency histogram.
#include "histogram.hpp"
#include <algorithm>
#include <bit>

namespace peerchat::bench {

int histogram::index_of(std::uint64_t v) {
  if (v < 128) return static_cast<int>(v);
  int msb = 63 - std::countl_zero(v);
  int shift = msb - 6;  // v >> shift lands in [64, 128)
  return (shift + 1) * 64 + static_cast<int>(v >> shift) - 64;
}

std::uint64_t histogram::middle_of(int index) {
  if (index < 128) return static_cast<std::uint64_t>(index);
  int shift = index / 64 - 1;
  std::uint64_t sub = static_cast<std::uint64_t>(index % 64 + 64);
  return (sub << shift) + ((std::uint64_t{1} << shift) >> 1);
}

void histogram::record(std::uint64_t value) {
  ++counts_[static_cast<std::size_t>(index_of(value))];
  ++count_;
  sum_ += value;
  max_ = std::max(max_, value);
  min_ = std::min(min_, value);
}

void histogram::merge(histogram const& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

std::uint64_t histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(middle_of(static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace peerchat::bench
