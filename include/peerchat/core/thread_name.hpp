// SPDX-License-Identifier: MIT
// Threads named after their job, so `top -H`, `ps -L` and perf tell the writer from an I/O
// thread (docs/performance.md splits the server's CPU by thread).
#pragma once

namespace peerchat {

// Names the calling thread. Linux keeps 15 bytes of it; longer names are cut. Best effort.
void name_this_thread(char const* name) noexcept;

}  // namespace peerchat
