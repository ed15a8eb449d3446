// SPDX-License-Identifier: MIT
// Fixed-bucket histograms for /metrics.
#include "peerchat/core/histogram.hpp"
#include <cstdio>

namespace peerchat {

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1) {}

void histogram::observe(double value) noexcept {
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(value * 1e6), std::memory_order_relaxed);
}

std::string histogram::render(std::string_view name) const {
  std::string out;
  char line[256];
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    if (i < bounds_.size())
      std::snprintf(line, sizeof line, "%.*s_bucket{le=\"%g\"} %llu\n", int(name.size()), name.data(), bounds_[i],
                    static_cast<unsigned long long>(cumulative));
    else
      std::snprintf(line, sizeof line, "%.*s_bucket{le=\"+Inf\"} %llu\n", int(name.size()), name.data(),
                    static_cast<unsigned long long>(cumulative));
    out += line;
  }
  std::snprintf(line, sizeof line, "%.*s_sum %.6f\n%.*s_count %llu\n", int(name.size()), name.data(),
                sum_micros_.load(std::memory_order_relaxed) / 1e6, int(name.size()), name.data(),
                static_cast<unsigned long long>(count_.load(std::memory_order_relaxed)));
  out += line;
  return out;
}

}  // namespace peerchat
