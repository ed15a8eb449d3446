// SPDX-License-Identifier: MIT
// GET /metrics: the server's counters in the Prometheus text format.
#pragma once
#include "app.hpp"
#include <string>

namespace peerchat::gateway {

// Thread safety: reads atomics and file sizes only; any thread.
std::string render_metrics(app& a);

}  // namespace peerchat::gateway
